// Setting up an authenticator app (TOTP). The pages talk to Cognito's user API directly, with the user's
// access token: AssociateSoftwareToken gives a secret, shown as a QR code and as text (drawn here: it never
// goes to our API); VerifySoftwareToken checks the first code the app shows; SetUserMFAPreference makes the
// app the way this user signs in. From the next sign-in Cognito asks for a code, and the ID token says so
// (the pre token trigger), which admin, national and commissioner roles need. Locally the gateway answers
// these calls (scripts/local/account-api-local.ts).
(function () {
  var ct = window.CapacityTracker;
  var endpoint = window.CAPACITY_TRACKER_ACCOUNT_API;
  var status = document.getElementById('status');
  var page = document.getElementById('page');
  var ISSUER = 'Capacity Tracker';
  var el = ct.ui.el;

  function say(kind, heading, detail, extra) {
    status.className = kind;
    status.textContent = '';
    if (heading) status.appendChild(el('h2', { text: heading }));
    if (detail) status.appendChild(el('p', { text: detail }));
    (extra || []).forEach(function (node) { status.appendChild(node); });
  }
  /** Where to go back to: a path on this site only. */
  function returnPath() {
    var path = new URLSearchParams(window.location.search).get('return');
    return typeof path === 'string' && /^\/(?![\/\\])/.test(path) ? path : '/';
  }

  /** One call to Cognito's user API (AWS JSON 1.1); rejects with the error's name (`type`) and message. */
  function cognito(operation, body) {
    return ct.accessToken().then(function (accessToken) {
      if (!accessToken) throw Object.assign(new Error('Your sign-in has ended.'), { type: 'NotAuthorizedException' });
      return fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSCognitoIdentityProviderService.' + operation },
        body: JSON.stringify(Object.assign({ AccessToken: accessToken }, body)),
        credentials: 'omit',
        cache: 'no-store',
      });
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (answer) {
        if (response.ok) return answer;
        var error = new Error(answer.message || answer.Message || 'The sign-in service refused (' + response.status + ')');
        error.type = String(answer.__type || '').split('#').pop();
        throw error;
      });
    }, function (error) {
      if (error.type) throw error;
      throw Object.assign(new Error('The sign-in service could not be reached.'), { type: 'network' });
    });
  }

  function failed(error) {
    if (error.type === 'NotAuthorizedException') {
      say('problem', 'Your sign-in has ended', 'Sign in again, then come back to this page.');
      if (ct.signInMode === 'account') ct.offerSignIn(page, 'Sign in to set up an authenticator app.');
      return;
    }
    if (error.type === 'network') {
      say('problem', 'The sign-in service could not be reached', 'Check the connection and reload this page to start again.');
      return;
    }
    say('problem', 'The authenticator app could not be set up', error.message + ' Reload this page to start again.');
  }

  /** The key in groups of four, as authenticator apps show a key typed in. */
  function grouped(secret) { return secret.replace(/(.{4})(?=.)/g, '$1 '); }

  function showSecret(secret) {
    var label = ct.claims().email || 'your account';
    var uri = 'otpauth://totp/' + encodeURIComponent(ISSUER + ':' + label) + '?' + new URLSearchParams({ secret: secret, issuer: ISSUER, algorithm: 'SHA1', digits: '6', period: '30' }).toString();
    var qr = window.qrcode(0, 'M');
    qr.addData(uri);
    qr.make();
    var code = el('input', { id: 'code', name: 'code', inputmode: 'numeric', autocomplete: 'one-time-code', pattern: '[0-9]{6}', maxlength: '6', class: 'short', 'aria-describedby': 'code-hint code-error', required: true });
    var codeError = el('span', { id: 'code-error', class: 'error' });
    var submit = el('button', { type: 'submit', text: 'Check the code and turn it on' });
    var form = el('form', { id: 'verify', novalidate: true }, [
      el('div', { class: 'field' }, [el('label', { for: 'code', text: 'The 6-digit code your app shows now' }), el('span', { id: 'code-hint', class: 'hint', text: 'A new code comes every 30 seconds; any code still showing will do.' }), codeError, code]),
      submit,
    ]);
    page.textContent = '';
    page.appendChild(el('h2', { text: '1. Add Capacity Tracker to your app' }));
    page.appendChild(el('p', { text: 'Scan this QR code with the app, or choose to enter a key and type the key below.' }));
    page.appendChild(el('img', { id: 'qr', src: qr.createDataURL(5, 4), alt: 'QR code of the set-up key for ' + label + ' (the same key is written below)' }));
    page.appendChild(el('p', {}, ['Key: ', el('code', { id: 'secret', text: grouped(secret) })]));
    page.appendChild(el('p', {}, [el('a', { href: uri, id: 'otpauth-link', text: 'Open in an authenticator app on this device' })]));
    page.appendChild(el('h2', { text: '2. Enter a code from the app' }));
    page.appendChild(form);
    say('', '', 'The key works only once you enter a code from it. If you already have an app set up, this one replaces it then.');

    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var value = code.value.replace(/\s/g, '');
      if (!/^[0-9]{6}$/.test(value)) {
        codeError.textContent = 'Enter the 6 digits the app shows';
        code.setAttribute('aria-invalid', 'true');
        code.focus();
        return;
      }
      codeError.textContent = '';
      code.removeAttribute('aria-invalid');
      submit.disabled = true;
      say('', 'Checking the code…');
      cognito('VerifySoftwareToken', { UserCode: value, FriendlyDeviceName: 'Authenticator app' })
        .then(function () { return cognito('SetUserMFAPreference', { SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true } }); })
        .then(done, function (error) {
          submit.disabled = false;
          if (error.type === 'EnableSoftwareTokenMFAException' || error.type === 'CodeMismatchException' || error.type === 'InvalidParameterException') {
            say('problem', 'That code did not match', 'Enter the code the app shows now. If it still does not match, check the phone’s clock is set automatically.');
            codeError.textContent = 'That code did not match';
            code.setAttribute('aria-invalid', 'true');
            code.select();
            code.focus();
            return;
          }
          failed(error);
        });
    });
  }

  function done() {
    page.textContent = '';
    var again = el('button', { type: 'button', id: 'sign-in-again', text: 'Sign out, to sign in again with the app' });
    // The deployed site's sign-out goes through Cognito's and back to the home page; the local one just forgets the token.
    again.addEventListener('click', function () { ct.signOut().then(function () { if (ct.signInMode !== 'account') window.location.assign(returnPath()); }); });
    var back = el('a', { href: returnPath(), text: 'Back to where you were' });
    say('done', 'Your authenticator app is set up', 'From your next sign-in, Capacity Tracker asks for a code from the app after your password. Roles that need the app can act once you have signed in again.', [el('p', {}, [again]), el('p', {}, [back])]);
  }

  function start() {
    if (!endpoint) {
      say('problem', 'Authenticator apps cannot be set up here', 'This site has no sign-in service.');
      return;
    }
    if (!ct.token()) {
      say('', 'Sign in first');
      if (!ct.offerSignIn(page, 'Sign in to set up an authenticator app.')) page.appendChild(el('p', {}, [el('a', { href: '/', text: 'Sign in on the home page' }), ', then come back to this page.']));
      return;
    }
    say('', 'Getting a key for your app…');
    cognito('AssociateSoftwareToken', {}).then(function (answer) {
      if (!answer.SecretCode) throw new Error('The sign-in service sent no key.');
      showSecret(answer.SecretCode);
    }).catch(failed);
  }

  start();
})();
