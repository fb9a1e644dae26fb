// Asking to update a home (DESIGN §10.1), register.html: a signed-in care-provider user gives the home's
// CQC location ID and asks (POST /v1/registrations); an administrator, or the home's manager on its team
// page, decides. Below the form, the user's own requests and what became of them (GET /v1/registrations).
// ?location=<id> fills the form in (a link a manager or an administrator sends).
(function () {
  var ct = window.CapacityTracker;
  var ui = ct.ui;
  var el = ui.el;
  var people = ct.people;
  var status = document.getElementById('status');
  var page = document.getElementById('page');
  function say(text) { status.textContent = text; }

  var STATUS_WORDS = { pending: 'Waiting for a decision', approved: 'Approved', rejected: 'Not approved' };

  function showMine(part) {
    var line = el('p', { id: 'mine-status', role: 'status', 'aria-live': 'polite', text: 'Loading your requests…' });
    part.textContent = '';
    part.appendChild(el('h2', { id: 'mine-title', text: 'Your requests' }));
    part.appendChild(line);
    var stop = people.progress(part, 'Loading your requests');
    return ct.get('/v1/registrations?limit=50').then(function (result) {
      stop();
      part.setAttribute('data-loaded', 'true');
      if (result.items.length === 0) { line.textContent = 'You have not asked for any home yet.'; return; }
      line.textContent = ui.plural(result.items.length, 'request') + (result.nextToken ? ' (the latest 50)' : '') + '.';
      var table = el('table', { id: 'mine', class: 'list stack' }, [
        el('caption', { text: 'Your requests, newest first' }),
        el('thead', {}, [el('tr', {}, ['Home', 'Asked', 'Decision'].map(function (text) { return el('th', { scope: 'col', text: text }); }))]),
        el('tbody', {}, result.items.map(function (item) {
          var decision = STATUS_WORDS[item.status] + (item.decidedAt ? ' ' + ui.when(item.decidedAt) : '') + (item.note ? '. Note: “' + item.note + '”' : '');
          var home = item.status === 'approved'
            ? [el('a', { href: '/?location=' + encodeURIComponent(item.locationId), text: item.locationName })]
            : [item.locationName];
          return el('tr', { 'data-registration': item.registrationId, 'data-status': item.status }, [
            el('th', { scope: 'row', 'data-label': 'Home' }, home.concat([el('span', { class: 'hint', text: ' ' + item.locationId })])),
            el('td', { 'data-label': 'Asked', text: ui.when(item.requestedAt) }),
            el('td', { 'data-label': 'Decision', class: 'decision', text: decision }),
          ]);
        })),
      ]);
      part.appendChild(el('div', { class: 'table-wrap' }, [table]));
    }, function (error) { stop(); part.setAttribute('data-loaded', 'true'); line.textContent = error.message; });
  }

  function showForm() {
    page.textContent = '';
    document.title = 'Ask to update a home — Capacity Tracker';
    page.appendChild(el('h1', { text: 'Ask to update a home' }));
    page.appendChild(el('p', { text: 'Give the CQC location ID of the home whose figures you will keep up to date. Its manager, or an administrator, checks that you work there and lets you in; you will then find the home on your page.' }));
    var message = el('div', { id: 'register-message' });
    var form = el('form', { id: 'register-form', novalidate: true, 'aria-label': 'The home to ask for' }, [
      people.field('register-location', 'CQC location ID', { name: 'locationId', type: 'text', autocomplete: 'off', spellcheck: 'false', class: 'medium', value: new URLSearchParams(window.location.search).get('location') || '' },
        'It starts 1- and is on the home’s CQC registration certificate and its page on the CQC website, for example 1-109570155.'),
      el('button', { type: 'submit', text: 'Ask to update this home' }),
    ]);
    var mine = el('section', { id: 'mine-part', class: 'part', 'aria-labelledby': 'mine-title' });
    page.appendChild(message);
    page.appendChild(form);
    page.appendChild(mine);

    form.addEventListener('submit', function (event) {
      event.preventDefault();
      message.textContent = '';
      var locationId = form.elements.namedItem('locationId').value.trim();
      var errors = locationId ? [] : [{ path: 'locationId', message: 'enter the home’s CQC location ID' }];
      people.showErrors(form, errors);
      if (errors.length) { say('Not sent: ' + errors[0].message); return; }
      say('Asking for ' + locationId + '…');
      ct.request('POST', '/v1/registrations', { locationId: locationId }).then(function (result) {
        var asked = result.body;
        var text = result.status === 201
          ? 'You asked to update ' + asked.locationName + '. Its manager or an administrator will decide; it shows below until then.'
          : 'You had already asked to update ' + asked.locationName + ': it is still waiting for a decision.';
        people.tell(message, 'done', 'Request sent', [text]).focus();
        say(text);
        form.reset();
        showMine(mine);
      }, function (error) {
        // A field's problem beside the field; a refusal (unknown home, already a member, someone else waiting) above the form.
        var found = people.errorsOf(error);
        if (error.status === 400) people.showErrors(form, found.map(function (item) { return { path: 'locationId', message: item.message }; }));
        else people.tell(message, 'problem', error.status === 404 ? 'No such home' : 'Not sent', [error.message]).focus();
        say('Not sent: ' + found[0].message);
      });
    });
    say('Give the home’s CQC location ID.');
    return showMine(mine);
  }

  people.signIn(page, say, ['provider'], showForm);
})();
