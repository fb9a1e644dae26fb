// "Nothing has changed", from the link in a reminder email: the location is in the query, the
// update-link token in the fragment (never sent to a server log). The page shows the figures it would
// repeat and stores nothing until the manager clicks: a mail scanner that runs the page confirms nothing.
// It confirms the London date of the click, not the date the email was sent.
(function () {
  var status = document.getElementById('status');
  var figures = document.getElementById('figures');
  var query = new URLSearchParams(window.location.search);
  var token = new URLSearchParams(window.location.hash.slice(1)).get('token');
  var locationId = query.get('location');
  var api = (window.CAPACITY_TRACKER_API || '').replace(/\/$/, '');
  var CATEGORY_NAMES = {
    residential: 'Residential', nursing: 'Nursing', dementiaResidential: 'Dementia (residential)', dementiaNursing: 'Dementia (nursing)',
    mentalHealth: 'Mental health', learningDisability: 'Learning disability', inpatient: 'Inpatient',
  };
  var ADMISSIONS = { open: 'Open', restricted: 'Restricted', closed: 'Closed' };

  function el(tag, text, attributes) {
    var node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    Object.keys(attributes || {}).forEach(function (key) { node.setAttribute(key, attributes[key]); });
    return node;
  }
  function show(kind, heading, detail, link) {
    status.className = kind;
    status.textContent = '';
    status.appendChild(el('h2', heading));
    if (detail) status.appendChild(el('p', detail));
    if (link) status.appendChild(el('a', link.text, { href: link.href }));
  }
  function londonToday() { return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(new Date()); }
  function longDate(day) { return new Date(day + 'T12:00:00Z').toLocaleDateString('en-GB', { timeZone: 'Europe/London', weekday: 'long', day: 'numeric', month: 'long' }); }
  function when(instant) { return new Date(instant).toLocaleString('en-GB', { timeZone: 'Europe/London', dateStyle: 'long', timeStyle: 'short' }); }

  if (!token || !locationId) {
    show('problem', 'This link is incomplete', 'Open the link from the reminder email again, or sign in to update your figures.');
    return;
  }
  var formLink = { href: '/?location=' + encodeURIComponent(locationId) + '#token=' + encodeURIComponent(token), text: 'Update the figures instead' };
  var headers = { authorization: 'Bearer ' + token };

  function request(method, path, extra, body) {
    var init = { method: method, headers: Object.assign({}, headers, extra || {}) };
    if (body) {
      init.headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    return fetch(api + path, init).then(function (response) {
      return response.json().then(function (body) { return { status: response.status, ok: response.ok, headers: response.headers, body: body }; });
    });
  }

  function describe(location, latest) {
    figures.textContent = '';
    figures.appendChild(el('h2', location.name));
    figures.appendChild(el('p', 'Your latest figures, for ' + longDate(latest.reportDate) + ' (saved ' + when(latest.submittedAt) + '):'));
    var list = el('dl');
    function row(term, value) { list.appendChild(el('dt', term)); list.appendChild(el('dd', String(value))); }
    Object.keys(latest.vacancies).forEach(function (category) {
      var split = latest.vacancies[category];
      var who = ['male', 'female', 'any'].filter(function (key) { return split[key] > 0; }).map(function (key) { return key + ' ' + split[key]; });
      row((CATEGORY_NAMES[category] || category) + ' vacancies', (split.male + split.female + split.any) + (who.length ? ' (' + who.join(', ') + ')' : ''));
    });
    row('Beds occupied', latest.beds.occupied);
    row('Admissions', ADMISSIONS[latest.admissions.status] || latest.admissions.status);
    row('Outbreak', latest.outbreak.active ? 'Yes' : 'No');
    row('Staff absent', latest.workforce.staffAbsent + ' of ' + latest.workforce.staffEmployed);
    figures.appendChild(list);
  }

  // One Idempotency-Key per click: if there is no answer, or the service is busy, it is sent again
  // (once) with the same key, so it is stored once however the retry goes.
  function newKey() {
    return typeof crypto.randomUUID === 'function' ? crypto.randomUUID() : Date.now().toString(36) + '-' + crypto.getRandomValues(new Uint32Array(4)).join('-');
  }
  // `repeats` names the return shown: if another was saved since, the server refuses (409) and the page
  // shows the new figures instead of confirming ones the manager has not seen.
  function confirmOnce(day, shown, key, retries) {
    var path = '/v1/locations/' + encodeURIComponent(locationId) + '/returns/' + encodeURIComponent(day) + '/confirm';
    var body = { repeats: { reportDate: shown.reportDate, version: shown.version } };
    return request('POST', path, { 'idempotency-key': '"' + key + '"' }, body).then(function (result) {
      var busy = result.status >= 500 || /idempotency-in-progress$/.test((result.body && result.body.type) || '');
      if (busy && retries > 0) return wait(Number(result.headers.get('retry-after')) || 1).then(function () { return confirmOnce(day, shown, key, retries - 1); });
      return result;
    }, function (error) {
      if (retries > 0) return wait(1).then(function () { return confirmOnce(day, shown, key, retries - 1); });
      throw error;
    });
  }
  function wait(seconds) { return new Promise(function (resolve) { setTimeout(resolve, 1000 * Math.min(seconds, 5)); }); }

  function offer(location, latest, note) {
    describe(location, latest);
    var day = londonToday();
    show('ask', note || 'Has anything changed?', 'If these figures are still right, confirm them as your return for today, ' + longDate(day) + '.', formLink);
    var button = el('button', 'Confirm nothing has changed', { type: 'button', id: 'confirm' });
    status.insertBefore(button, status.lastChild);
    button.addEventListener('click', function () {
      button.disabled = true;
      var clicked = londonToday();
      show('busy', 'Confirming…');
      confirmOnce(clicked, latest, newKey(), 1).then(function (result) {
        if (result.ok) {
          show('done', 'Thank you: your figures are confirmed', 'The return for ' + longDate(result.body.reportDate) + ' repeats your figures from ' + longDate(result.body.confirmedFrom.reportDate) + ' (saved ' + when(result.body.submittedAt) + ', version ' + result.body.version + ').', formLink);
        } else if (/changed-meanwhile$/.test((result.body && result.body.type) || '')) {
          // Someone saved figures meanwhile: show those and ask again, rather than repeat the old ones.
          load('Your figures were changed meanwhile: check them again');
        } else {
          show('problem', 'Your figures were not confirmed', (result.body && result.body.detail) || 'Something went wrong.', formLink);
        }
      }).catch(function () {
        show('problem', 'Your figures were not confirmed', 'The service could not be reached. Try again in a moment.', formLink);
      });
    });
  }

  function load(note) {
    show('busy', 'Loading your latest figures…');
    request('GET', '/v1/locations/' + encodeURIComponent(locationId)).then(function (result) {
      if (!result.ok) return show('problem', 'This link does not work any more', (result.body && result.body.detail) || 'Sign in to update your figures.', formLink);
      if (!result.body.latestReturn) return show('problem', 'There are no figures to repeat yet', 'Fill in the form for your first return.', formLink);
      offer(result.body, result.body.latestReturn, note);
    }).catch(function () {
      show('problem', 'The service could not be reached', 'Try again in a moment.', formLink);
    });
  }
  load();
})();
