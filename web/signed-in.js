// Where Cognito's managed login sends the user back (the app client's callback URL) with ?code=&state=.
// The code and state leave the address bar at once; the code is exchanged (with the PKCE verifier this tab
// kept), and the user goes back to the page they started signing in from. A mismatch is refused, saying so.
(function () {
  var ct = window.CapacityTracker;
  var status = document.getElementById('status');
  var query = new URLSearchParams(window.location.search);
  history.replaceState(null, '', window.location.pathname);

  ct.completeSignIn(query).then(function (returnTo) {
    window.location.replace(returnTo);
  }, function (error) {
    document.title = 'Not signed in — Capacity Tracker';
    document.querySelector('h1').textContent = 'Not signed in';
    status.textContent = '';
    status.className = 'problem';
    var heading = document.createElement('h2');
    heading.textContent = 'Signing in did not work';
    var detail = document.createElement('p');
    detail.id = 'sign-in-problem';
    detail.textContent = error.message;
    var again = document.createElement('a');
    again.href = '/';
    again.textContent = 'Back to the start page';
    status.appendChild(heading);
    status.appendChild(detail);
    status.appendChild(again);
  });
})();
