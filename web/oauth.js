// Signing in on the deployed site: OAuth 2.0 authorization code with PKCE (RFC 7636, S256) against the
// Cognito user pool's managed login. Cognito's own pages take the password, the new password of an
// admin-created user, TOTP codes and forgotten passwords: these pages never see a password, and the app
// client has no secret. Used only when /config.js sets window.CAPACITY_TRACKER_SIGN_IN; the local stack
// has no such setting and keeps its demo sign-in. session.js keeps the tokens; this file speaks OAuth.
(function () {
  /**
   * The claims of a JWT, unverified: for its expiry, whom to greet and what to show first. The API
   * verifies every token. Read on the local stack too (its tokens), so it is set before anything else.
   */
  function claims(token) {
    try {
      var part = String(token).split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
      var bytes = Uint8Array.from(atob(part + '==='.slice((part.length + 3) % 4)), function (c) { return c.charCodeAt(0); });
      return JSON.parse(new TextDecoder().decode(bytes)) || {};
    } catch (e) {
      return {};
    }
  }
  window.CapacityTrackerClaims = claims;

  var settings = window.CAPACITY_TRACKER_SIGN_IN;
  if (!settings) return;
  var authority = String(settings.authority).replace(/\/$/, '');
  /** One sign-in under way in this tab: { state, verifier, nonce, returnTo }, used once. */
  var PENDING = 'capacity-tracker-sign-in';
  // aws.cognito.signin.user.admin: the access token may then set up the user's authenticator app (mfa.js).
  var SCOPE = 'openid email aws.cognito.signin.user.admin';

  function base64url(bytes) {
    var text = '';
    for (var i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i]);
    return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }
  /** `length` random bytes, base64url: 32 make a 43-character PKCE verifier (its minimum length). */
  function random(length) { return base64url(crypto.getRandomValues(new Uint8Array(length))); }
  function challengeOf(verifier) {
    return crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)).then(function (digest) { return base64url(new Uint8Array(digest)); });
  }
  /** Only a path on this site: never another origin (`//host`, `/\host`), so a crafted sign-in cannot send the user elsewhere. */
  function sitePath(path) {
    return typeof path === 'string' && /^\/(?![\/\\])/.test(path) ? path : '/';
  }
  function failure(message, code) {
    var error = new Error(message);
    error.oauthError = code;
    return error;
  }

  /** POST to the token endpoint, form-encoded, as a public client (client_id in the body, no secret). */
  function tokenRequest(fields) {
    fields.client_id = settings.clientId;
    return fetch(authority + '/oauth2/token', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
      credentials: 'omit',
      cache: 'no-store',
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        // invalid_grant and the like: the server answered, and no retry will change its mind.
        if (!response.ok) throw failure(body.error_description || body.error || 'The sign-in service refused (' + response.status + ')', body.error || 'http_' + response.status);
        if (!body.id_token) throw failure('The sign-in service sent no ID token', 'no_id_token');
        return { idToken: body.id_token, accessToken: body.access_token, refreshToken: body.refresh_token };
      });
    });
  }

  var oauth = {
    claims: claims,

    /** Go to Cognito's sign-in page; it sends the user back to signed-in.html with a code, then to `returnTo`. */
    begin: function (returnTo) {
      var pending = { state: random(32), verifier: random(32), nonce: random(32), returnTo: sitePath(returnTo) };
      return challengeOf(pending.verifier).then(function (challenge) {
        sessionStorage.setItem(PENDING, JSON.stringify(pending));
        var query = new URLSearchParams({
          response_type: 'code',
          client_id: settings.clientId,
          redirect_uri: settings.redirectUri,
          scope: SCOPE,
          state: pending.state,
          nonce: pending.nonce,
          code_challenge: challenge,
          code_challenge_method: 'S256',
        });
        window.location.assign(authority + '/oauth2/authorize?' + query.toString());
      });
    },

    /**
     * On signed-in.html: check the answer belongs to the sign-in this tab started (state), exchange the
     * code with the verifier, check the ID token was issued for this client and this sign-in (aud, nonce).
     * Resolves { idToken, refreshToken, returnTo }; rejects with a message for the user.
     */
    complete: function (query) {
      var pending = null;
      try { pending = JSON.parse(sessionStorage.getItem(PENDING) || 'null'); } catch (e) { pending = null; }
      // Single use, whatever happens next: a second answer for the same sign-in is refused.
      sessionStorage.removeItem(PENDING);
      // The state first: an answer this tab did not ask for is refused without reading anything else in it.
      if (!pending || !pending.state || !query.get('state') || query.get('state') !== pending.state) {
        return Promise.reject(failure('This sign-in answer does not belong to a sign-in started in this tab, so it was refused. Nothing was signed in. Start again from the sign-in button.', 'state_mismatch'));
      }
      if (query.get('error')) {
        return Promise.reject(failure('Signing in did not finish: ' + (query.get('error_description') || query.get('error')), query.get('error')));
      }
      if (!query.get('code')) return Promise.reject(failure('The sign-in service sent no code. Start again from the sign-in button.', 'no_code'));
      return tokenRequest({ grant_type: 'authorization_code', code: query.get('code'), redirect_uri: settings.redirectUri, code_verifier: pending.verifier }).then(function (tokens) {
        var claims = oauth.claims(tokens.idToken);
        var audience = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
        if (audience.indexOf(settings.clientId) < 0 || claims.nonce !== pending.nonce) {
          throw failure('The ID token was not issued for this sign-in, so it was refused.', 'token_mismatch');
        }
        return { idToken: tokens.idToken, accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, returnTo: sitePath(pending.returnTo) };
      }, function (error) {
        if (error.oauthError) throw failure('The sign-in service refused to finish this sign-in (' + error.message + '). Start again from the sign-in button.', error.oauthError);
        throw failure('The sign-in service could not be reached. Check the connection and start again.', 'network');
      });
    },

    /** New ID token from the refresh token (Cognito does not rotate it unless told to; a new one is kept if sent). */
    refresh: function (refreshToken) {
      return tokenRequest({ grant_type: 'refresh_token', refresh_token: refreshToken });
    },

    /** Withdraw the refresh token (and the access tokens issued with it) at Cognito. */
    revoke: function (refreshToken) {
      return fetch(authority + '/oauth2/revoke', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token: refreshToken, client_id: settings.clientId }).toString(),
        credentials: 'omit',
      });
    },

    /** Cognito's sign-out: ends its own session (its cookie), then sends the user to the site's root. */
    logoutUrl: function () {
      return authority + '/logout?' + new URLSearchParams({ client_id: settings.clientId, logout_uri: settings.logoutUri }).toString();
    },
  };
  window.CapacityTrackerOAuth = oauth;
})();
