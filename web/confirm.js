// "Nothing has changed", from the link in a reminder email: the location and day are in the query,
// the update-link token in the fragment (never sent to a server log). One request, then say what happened.
(function () {
  var status = document.getElementById('status');
  var query = new URLSearchParams(window.location.search);
  var token = new URLSearchParams(window.location.hash.slice(1)).get('token');
  var locationId = query.get('location');
  var day = query.get('date');
  var api = (window.CAPACITY_TRACKER_API || '').replace(/\/$/, '');

  function show(kind, heading, detail, link) {
    status.className = kind;
    status.textContent = '';
    var h = document.createElement('h2');
    h.textContent = heading;
    status.appendChild(h);
    var p = document.createElement('p');
    p.textContent = detail;
    status.appendChild(p);
    if (link) {
      var a = document.createElement('a');
      a.href = link.href;
      a.textContent = link.text;
      status.appendChild(a);
    }
  }

  if (!token || !locationId || !day) {
    show('problem', 'This link is incomplete', 'Open the link from the reminder email again, or sign in to update your figures.');
    return;
  }
  var formLink = { href: '/?location=' + encodeURIComponent(locationId) + '#token=' + encodeURIComponent(token), text: 'Update the figures instead' };
  // One Idempotency-Key for this confirmation: if there is no answer, or the service is busy, it is sent
  // again (once) with the same key, so it is stored once however the retry goes.
  var key = typeof crypto.randomUUID === 'function' ? crypto.randomUUID() : Date.now().toString(36) + '-' + crypto.getRandomValues(new Uint32Array(4)).join('-');
  function send(retries) {
    return fetch(api + '/v1/locations/' + encodeURIComponent(locationId) + '/returns/' + encodeURIComponent(day) + '/confirm', {
      method: 'POST',
      headers: { authorization: 'Bearer ' + token, 'idempotency-key': '"' + key + '"' },
    })
      .then(function (response) {
        return response.json().then(function (body) {
          var busy = response.status >= 500 || /idempotency-in-progress$/.test((body && body.type) || '');
          if (busy && retries > 0) return again(retries, Number(response.headers.get('retry-after')) || 1);
          return { ok: response.ok, body: body };
        });
      }, function (error) {
        if (retries > 0) return again(retries, 1);
        throw error;
      });
  }
  function again(retries, seconds) {
    return new Promise(function (resolve) { setTimeout(resolve, 1000 * Math.min(seconds, 5)); }).then(function () { return send(retries - 1); });
  }
  send(1)
    .then(function (result) {
      if (result.ok) {
        var at = new Date(result.body.submittedAt).toLocaleString('en-GB', { timeZone: 'Europe/London', dateStyle: 'long', timeStyle: 'short' });
        show('done', 'Thank you: your figures are confirmed', 'The return for ' + result.body.reportDate + ' repeats your figures from ' + result.body.confirmedFrom.reportDate + ' (saved ' + at + ', version ' + result.body.version + ').', formLink);
      } else {
        show('problem', 'Your figures were not confirmed', (result.body && result.body.detail) || 'Something went wrong.', formLink);
      }
    })
    .catch(function () {
      show('problem', 'Your figures were not confirmed', 'The service could not be reached. Try again in a moment.', formLink);
    });
})();
