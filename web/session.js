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
    /** Keep a token that came in a link (an update link's fragment), and take it out of the address bar. */
    useTokenFromLink: function () {
      var token = new URLSearchParams(window.location.hash.slice(1)).get('token');
      if (!token) return false;
      sessionStorage.setItem(KEY, token);
      history.replaceState(null, '', window.location.pathname + window.location.search);
      return true;
    },
    /** Call the API with the token; resolves { status, body, headers }, rejects with the problem+json. */
    request: function (method, path, body, headers) {
      var init = { method: method, headers: Object.assign({ authorization: 'Bearer ' + sessionStorage.getItem(KEY) }, headers || {}) };
      if (body !== undefined) { init.body = JSON.stringify(body); init.headers['content-type'] = 'application/json'; }
      return fetch(api + path, init).then(function (response) {
        return response.json().then(function (json) {
          if (!response.ok) { var error = new Error(json.detail || 'The request failed'); error.problem = json; error.status = response.status; throw error; }
          return { status: response.status, body: json, headers: response.headers };
        });
      });
    },
    get: function (path) {
      return window.CapacityTracker.request('GET', path).then(function (result) { return result.body; });
    },
  };
})();
