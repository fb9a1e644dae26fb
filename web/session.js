// Who is signed in on this tab. Locally the demo sign-in asks the local issuer for a token; the
// deployed site (issue 7) signs in with Cognito and stores the ID token the same way.
(function () {
  var KEY = 'capacity-tracker-token';
  var api = (window.CAPACITY_TRACKER_API || '').replace(/\/$/, '');
  window.CapacityTracker = {
    api: api,
    token: function () { return sessionStorage.getItem(KEY); },
    signOut: function () { sessionStorage.removeItem(KEY); },
    /** Local stack only: sign in as a demo user of the given role. */
    demoSignIn: function (user) {
      return fetch(api + '/local/token', { method: 'POST', body: JSON.stringify({ user: user }) })
        .then(function (response) { if (!response.ok) throw new Error('sign-in failed'); return response.json(); })
        .then(function (body) { sessionStorage.setItem(KEY, body.token); return body.token; });
    },
    /** GET a JSON resource of the API with the token; rejects with the problem+json detail. */
    get: function (path) {
      return fetch(api + path, { headers: { authorization: 'Bearer ' + sessionStorage.getItem(KEY) } }).then(function (response) {
        return response.json().then(function (body) {
          if (!response.ok) { var error = new Error(body.detail || 'The request failed'); error.problem = body; throw error; }
          return body;
        });
      });
    },
  };
})();
