// Who is signed in on this tab. Locally the demo sign-in asks the local issuer for a token. The deployed
// site signs in with Cognito's managed login (oauth.js: authorization code with PKCE) and keeps the ID
// token in the same place, with the refresh token beside it: the ID token is refreshed a minute before it
// expires, or when the API answers 401, and sign-out revokes the refresh token and ends Cognito's session.
(function () {
  var KEY = 'capacity-tracker-token';
  var REFRESH_KEY = 'capacity-tracker-refresh-token';
  /** The access token, for Cognito's user API only (the authenticator-app page); the API takes the ID token. */
  var ACCESS_KEY = 'capacity-tracker-access-token';
  /** Refresh this many seconds before the ID token expires, so a request never leaves with a dying token. */
  var EARLY_SECONDS = 60;
  var api = (window.CAPACITY_TRACKER_API || '').replace(/\/$/, '');
  var oauth = window.CAPACITY_TRACKER_SIGN_IN ? window.CapacityTrackerOAuth : null;
  var refreshing = null;

  function keep(tokens) {
    sessionStorage.setItem(KEY, tokens.idToken);
    if (tokens.accessToken) sessionStorage.setItem(ACCESS_KEY, tokens.accessToken);
    else sessionStorage.removeItem(ACCESS_KEY);
  }
  function clear() {
    sessionStorage.removeItem(KEY);
    sessionStorage.removeItem(ACCESS_KEY);
    sessionStorage.removeItem(REFRESH_KEY);
    showWho();
  }
  function signedInWithAccount() { return Boolean(oauth && sessionStorage.getItem(KEY) && sessionStorage.getItem(REFRESH_KEY)); }
  function expiresSoon(token) {
    var exp = oauth.claims(token).exp;
    return typeof exp !== 'number' || exp - Date.now() / 1000 < EARLY_SECONDS;
  }
  /** One refresh at a time, shared by every request waiting for it. */
  function refresh() {
    if (!refreshing) {
      refreshing = oauth.refresh(sessionStorage.getItem(REFRESH_KEY)).then(function (tokens) {
        keep(tokens);
        if (tokens.refreshToken) sessionStorage.setItem(REFRESH_KEY, tokens.refreshToken);
        refreshing = null;
        return tokens.idToken;
      }, function (error) {
        refreshing = null;
        // Refused (expired, revoked): the session is over. Unreachable: keep it, a later request may succeed.
        if (!error.oauthError) throw error;
        clear();
        var ended = new Error('Your sign-in has ended. Sign in again to continue.');
        ended.status = 401;
        throw ended;
      });
    }
    return refreshing;
  }
  /** The header's "Signed in as …  Sign out" or "Sign in" (deployed site only; the local pages say who they signed in). */
  function showWho() {
    var who = document.getElementById('signed-in');
    if (!oauth || !who) return;
    who.textContent = '';
    var button = document.createElement('button');
    button.type = 'button';
    button.className = 'header-button';
    if (signedInWithAccount()) {
      var email = oauth.claims(sessionStorage.getItem(KEY)).email;
      who.appendChild(document.createTextNode(email ? 'Signed in as ' + email + ' ' : 'Signed in '));
      if (window.location.pathname !== '/mfa.html') {
        var app = document.createElement('a');
        app.href = '/mfa.html';
        app.className = 'header-link';
        app.textContent = 'Authenticator app';
        who.appendChild(app);
      }
      button.textContent = 'Sign out';
      button.addEventListener('click', function () { window.CapacityTracker.signOut(); });
    } else {
      button.textContent = 'Sign in';
      button.addEventListener('click', function () { window.CapacityTracker.signIn(); });
    }
    who.appendChild(button);
  }

  /**
   * The API refused this role without an authenticator app (403 mfa-required): say where to set one up,
   * once, at the top of the page, whatever the page then says about the failed request.
   */
  function showMfaNotice() {
    if (document.getElementById('mfa-notice')) return;
    var notice = document.createElement('div');
    notice.id = 'mfa-notice';
    notice.className = 'notice';
    notice.setAttribute('role', 'alert');
    var p = document.createElement('p');
    p.appendChild(document.createTextNode('Your role needs an authenticator app as well as your password. '));
    var link = document.createElement('a');
    link.href = '/mfa.html?return=' + encodeURIComponent(window.location.pathname + window.location.search);
    link.textContent = 'Set up an authenticator app';
    p.appendChild(link);
    p.appendChild(document.createTextNode(', then sign in again.'));
    notice.appendChild(p);
    var main = document.querySelector('main') || document.body;
    main.insertBefore(notice, main.firstChild);
  }

  window.CapacityTracker = {
    api: api,
    /** 'account' on the deployed site (Cognito's managed login), 'demo' on the local stack. */
    signInMode: oauth ? 'account' : 'demo',
    token: function () { return sessionStorage.getItem(KEY); },
    /** The signed-in token's claims, unverified (oauth.js reads them). */
    claims: function () { return window.CapacityTrackerClaims(sessionStorage.getItem(KEY)); },
    /**
     * The token Cognito's user API takes (the authenticator-app page): the access token on the deployed
     * site, refreshed with the ID token; locally the local token, which the local stand-in accepts.
     */
    accessToken: function () {
      return window.CapacityTracker.validToken().then(function (token) { return oauth ? sessionStorage.getItem(ACCESS_KEY) : token; });
    },
    /** The token to send now: refreshed first when it is about to expire and there is a refresh token. */
    validToken: function () {
      var token = sessionStorage.getItem(KEY);
      if (oauth && token && sessionStorage.getItem(REFRESH_KEY) && expiresSoon(token)) return refresh();
      return Promise.resolve(token);
    },
    /** Deployed site: go to Cognito's sign-in page, and come back to this page (path and query) afterwards. */
    signIn: function () {
      if (!oauth) return Promise.reject(new Error('There is no sign-in service here'));
      return oauth.begin(window.location.pathname + window.location.search);
    },
    /** On signed-in.html: finish the sign-in Cognito sent back, keep the tokens; resolves the page to return to. */
    completeSignIn: function (query) {
      if (!oauth) return Promise.reject(new Error('There is no sign-in service here.'));
      return oauth.complete(query).then(function (tokens) {
        keep(tokens);
        if (tokens.refreshToken) sessionStorage.setItem(REFRESH_KEY, tokens.refreshToken);
        else sessionStorage.removeItem(REFRESH_KEY);
        return tokens.returnTo;
      });
    },
    /**
     * Forget the tokens. Deployed site: also revoke the refresh token (waiting 3 s at most) and go through
     * Cognito's sign-out, which ends its session, so the next "Sign in" asks for the password again.
     */
    signOut: function () {
      var refreshToken = sessionStorage.getItem(REFRESH_KEY);
      clear();
      if (!oauth) return Promise.resolve();
      var revoked = refreshToken ? oauth.revoke(refreshToken).catch(function () {}) : Promise.resolve();
      var patience = new Promise(function (resolve) { setTimeout(resolve, 3000); });
      return Promise.race([revoked, patience]).then(function () { window.location.assign(oauth.logoutUrl()); });
    },
    /**
     * Deployed site: put a "Sign in" button in `container` with a line saying why. Returns true when it
     * did (no token yet), false when there is a token or the site has the demo sign-in instead.
     */
    offerSignIn: function (container, message) {
      if (!oauth || sessionStorage.getItem(KEY)) return false;
      container.textContent = '';
      var p = document.createElement('p');
      p.textContent = message;
      var button = document.createElement('button');
      button.type = 'button';
      button.textContent = 'Sign in';
      button.addEventListener('click', function () { window.CapacityTracker.signIn(); });
      container.appendChild(p);
      container.appendChild(button);
      return true;
    },
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
      // The tab now acts for the link; a refresh must not swap an account's token back in behind it.
      sessionStorage.removeItem(REFRESH_KEY);
      sessionStorage.removeItem(ACCESS_KEY);
      showWho();
      history.replaceState(null, '', window.location.pathname + window.location.search);
      return true;
    },
    /**
     * Call the API with the token (refreshed first if about to expire, and once more after a 401 when
     * there is a refresh token); resolves { status, body, headers } (body: the JSON, or a Blob for any other
     * type, such as a CSV), rejects with an Error carrying the problem+json.
     */
    request: function (method, path, body, headers) {
      function send(token) {
        var init = { method: method, headers: Object.assign({ authorization: 'Bearer ' + token }, headers || {}) };
        // A file (a spreadsheet upload) goes as it is, with the Content-Type the caller gave; anything else as JSON.
        if (body instanceof Blob) init.body = body;
        else if (body !== undefined) { init.body = JSON.stringify(body); init.headers['content-type'] = 'application/json'; }
        return fetch(api + path, init);
      }
      // 429: refused before anything ran (API Gateway's throttling, or the local gateway's bound on requests
      // in flight), so any request, a write too, is sent again after Retry-After, three times at most.
      function sendUnlessBusy(token, left) {
        return send(token).then(function (response) {
          if (response.status !== 429 || left === 0) return response;
          var wait = 1000 * Math.min(Number(response.headers.get('retry-after')) || 1, 5);
          return new Promise(function (resolve) { setTimeout(resolve, wait); }).then(function () { return sendUnlessBusy(token, left - 1); });
        });
      }
      function sendWithToken(token) { return sendUnlessBusy(token, 3); }
      return window.CapacityTracker.validToken().then(sendWithToken).then(function (response) {
        // Expired early, or revoked: a new ID token from the refresh token, and the same request once more.
        if (response.status === 401 && oauth && sessionStorage.getItem(REFRESH_KEY)) return refresh().then(sendWithToken);
        return response;
      }).then(function (response) {
        if (response.ok && !/json/.test(response.headers.get('content-type') || '')) {
          return response.blob().then(function (file) { return { status: response.status, body: file, headers: response.headers }; });
        }
        return response.json().then(function (json) {
          if (!response.ok) {
            var error = new Error(json.detail || 'The request failed');
            error.problem = json; error.status = response.status; error.retryAfter = Number(response.headers.get('retry-after')) || 0;
            if (/\/mfa-required$/.test(json.type || '')) showMfaNotice();
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
      return !error.status || error.status === 429 || error.status >= 500 || /idempotency-in-progress$/.test((error.problem && error.problem.type) || '');
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
  showWho();
})();
