// The unsubscribe link of a saved-search email: the token is in the fragment (never sent to a server
// log), and nothing is deleted until the reader clicks, so a mail scanner that fetches or runs the page
// unsubscribes no one. POST /v1/saved-searches/unsubscribe needs no sign-in: the token is the authority.
(function () {
  var status = document.getElementById('status');
  var button = document.getElementById('unsubscribe');
  var token = new URLSearchParams(window.location.hash.slice(1)).get('token');
  var api = (window.CAPACITY_TRACKER_API || '').replace(/\/$/, '');

  function show(kind, heading, detail) {
    status.className = kind;
    status.textContent = '';
    var h = document.createElement('h2');
    h.textContent = heading;
    status.appendChild(h);
    if (detail) {
      var p = document.createElement('p');
      p.textContent = detail;
      status.appendChild(p);
    }
  }

  if (!token) {
    show('problem', 'This link is incomplete', 'Open the link from the email again, or sign in and delete the search on the search page.');
    return;
  }
  // The token stays in memory only: out of the address bar, so it is not bookmarked or shared by accident.
  history.replaceState(null, '', window.location.pathname + window.location.search);
  button.hidden = false;
  button.addEventListener('click', function () {
    button.disabled = true;
    show('', 'Stopping the emails…');
    fetch(api + '/v1/saved-searches/unsubscribe', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: token }) })
      .then(function (response) { return response.json().then(function (body) { return { ok: response.ok, body: body }; }); })
      .then(function (answer) {
        if (!answer.ok) {
          show('problem', 'That did not work', (answer.body && answer.body.detail) || 'Sign in and delete the search on the search page.');
          button.disabled = false;
          return;
        }
        button.hidden = true;
        show('done', answer.body.status === 'deleted' ? 'Done: no more emails from this search' : 'This search was already deleted', 'You can save another search on the search page whenever you need one.');
      }, function () {
        show('problem', 'The service could not be reached', 'Check your connection and try again.');
        button.disabled = false;
      });
  });
})();
