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
          if (!response.ok) {
            var error = new Error(json.detail || 'The request failed');
            error.problem = json; error.status = response.status; error.retryAfter = Number(response.headers.get('retry-after')) || 0;
            throw error;
          }
          return { status: response.status, body: json, headers: response.headers };
        });
      });
    },
    /** A fresh Idempotency-Key: one per submission, kept for its retries (randomUUID needs https or localhost). */
    newIdempotencyKey: function () {
      return typeof crypto.randomUUID === 'function' ? crypto.randomUUID() : Date.now().toString(36) + '-' + crypto.getRandomValues(new Uint32Array(4)).join('-');
    },
    /** Was the write perhaps not done (no answer, the service busy, the same key still running)? Then it may be sent again with its key. */
    mayRetry: function (error) {
      return !error.status || error.status >= 500 || /idempotency-in-progress$/.test((error.problem && error.problem.type) || '');
    },
    /**
     * A write sent with its Idempotency-Key, retried (twice at most, after Retry-After) with the same key
     * when it may not have been done: the server stores it once and answers a retry with the first answer.
     */
    write: function (method, path, body, headers, key) {
      var ct = window.CapacityTracker;
      var keyed = Object.assign({}, headers, { 'idempotency-key': '"' + key + '"' });
      function attempt(left) {
        return ct.request(method, path, body, keyed).catch(function (error) {
          if (left === 0 || !ct.mayRetry(error)) throw error;
          return new Promise(function (resolve) { setTimeout(resolve, 1000 * Math.min(error.retryAfter || 1, 5)); }).then(function () { return attempt(left - 1); });
        });
      }
      return attempt(2);
    },
    get: function (path) {
      return window.CapacityTracker.request('GET', path).then(function (result) { return result.body; });
    },
  };
})();
