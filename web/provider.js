// The provider's pages: the list of their locations with how fresh each is, and the daily update form
// for one location, pre-filled from its latest return. Field names are the API's field paths, so the
// server's problem+json errors[].path lands beside the right field.
(function () {
  var ct = window.CapacityTracker;
  var status = document.getElementById('status');
  var page = document.getElementById('page');
  var HOUR = 3600000;

  var LABELS = {
    residential: 'Residential', nursing: 'Nursing', dementiaResidential: 'Dementia residential', dementiaNursing: 'Dementia nursing',
    mentalHealth: 'Mental health', learningDisability: 'Learning disability', inpatient: 'Inpatient',
  };
  var REASONS = { refurbishment: 'Refurbishment', staffing: 'Staffing', infectionControl: 'Infection control', other: 'Other', outbreak: 'Outbreak' };
  var PPE = { gloves: 'Gloves', aprons: 'Aprons', fluidResistantMasks: 'Fluid-resistant masks', ffp3Masks: 'FFP3 masks', eyeProtection: 'Eye protection', handHygiene: 'Hand hygiene' };

  function el(tag, attributes, children) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (key) {
      if (key === 'text') node.textContent = attributes[key];
      else if (attributes[key] !== undefined && attributes[key] !== false) node.setAttribute(key, attributes[key] === true ? '' : attributes[key]);
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }
  function say(text) { status.textContent = text; }
  function londonToday() { return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(new Date()); }
  function when(instant) { return new Date(instant).toLocaleString('en-GB', { timeZone: 'Europe/London', dateStyle: 'medium', timeStyle: 'short' }); }
  function freshness(lastUpdated) {
    if (!lastUpdated) return { text: 'Never updated', warn: true };
    var hours = (Date.now() - Date.parse(lastUpdated)) / HOUR;
    if (hours >= 48) return { text: 'Over 48 hours ago', warn: true };
    if (hours >= 24) return { text: 'Over 24 hours ago', warn: true };
    return { text: 'Updated ' + when(lastUpdated), warn: false };
  }

  // --- the list of the provider's locations -------------------------------------------------------
  function showList() {
    ct.get('/v1/locations?limit=100').then(function (listing) {
      page.textContent = '';
      page.appendChild(el('h1', { text: 'Your locations' }));
      if (listing.items.length === 0) { say('You are not registered for any location yet.'); return; }
      say(listing.items.length + (listing.items.length === 1 ? ' location' : ' locations'));
      var list = el('ul', { class: 'results' });
      listing.items.forEach(function (location) {
        var fresh = freshness(location.lastUpdated);
        list.appendChild(el('li', {}, [
          el('h2', {}, [el('a', { href: '/?location=' + encodeURIComponent(location.locationId), text: location.name })]),
          el('p', {}, [el('span', { class: 'tag' + (fresh.warn ? ' warn' : ''), text: fresh.text })]),
        ]));
      });
      page.appendChild(list);
    }, function (error) { say(error.message); });
  }

  // --- the update form ----------------------------------------------------------------------------
  function number(name, label, value, max) {
    var id = 'f-' + name.replace(/\./g, '-');
    return el('div', { class: 'field' }, [
      el('label', { for: id, text: label }),
      el('input', { id: id, name: name, type: 'number', inputmode: 'numeric', min: '0', max: String(max || 10000), step: '1', required: true, value: value === undefined ? '' : String(value), 'aria-describedby': id + '-error', class: 'short' }),
      el('span', { class: 'error', id: id + '-error' }),
    ]);
  }
  function choice(name, legend, options, value) {
    return el('fieldset', { class: 'field' }, [el('legend', { text: legend })].concat(Object.keys(options).map(function (option) {
      return el('label', {}, [el('input', { type: 'radio', name: name, value: option, checked: option === value }), document.createTextNode(' ' + options[option])]);
    })).concat([el('span', { class: 'error', id: 'f-' + name.replace(/\./g, '-') + '-error' })]));
  }
  function select(name, label, options, value) {
    var id = 'f-' + name.replace(/\./g, '-');
    var node = el('select', { id: id, name: name, 'aria-describedby': id + '-error' }, [el('option', { value: '', text: 'Choose' })].concat(options.map(function (option) {
      return el('option', { value: option, text: REASONS[option] || option, selected: option === value });
    })));
    return el('div', { class: 'field' }, [el('label', { for: id, text: label }), node, el('span', { class: 'error', id: id + '-error' })]);
  }
  function section(title, children) { return el('fieldset', { class: 'section' }, [el('legend', { text: title })].concat(children)); }

  function buildForm(location, latest) {
    var r = latest || {};
    var get = function (path) { return path.split('.').reduce(function (value, key) { return value == null ? undefined : value[key]; }, r); };
    var vacancies = location.categories.map(function (category) {
      return el('fieldset', { class: 'field sex-split' }, [
        el('legend', { text: LABELS[category] }),
        number('vacancies.' + category + '.female', 'Women', get('vacancies.' + category + '.female')),
        number('vacancies.' + category + '.male', 'Men', get('vacancies.' + category + '.male')),
        number('vacancies.' + category + '.any', 'Anyone', get('vacancies.' + category + '.any')),
      ]);
    });
    return el('form', { id: 'return-form', novalidate: true }, [
      section('Vacancies: beds free and accepting admissions now', vacancies),
      section('Beds', [
        number('beds.occupied', 'Occupied', get('beds.occupied')),
        number('beds.vacantReserved', 'Vacant but reserved', get('beds.vacantReserved')),
        number('beds.vacantNotAdmittable', 'Vacant but cannot be used', get('beds.vacantNotAdmittable')),
        select('beds.notAdmittableReason', 'Why they cannot be used', ['refurbishment', 'staffing', 'infectionControl', 'other'], get('beds.notAdmittableReason')),
      ]),
      section('Admissions', [
        choice('admissions.status', 'Admissions are', { open: 'Open', restricted: 'Restricted', closed: 'Closed' }, get('admissions.status') || 'open'),
        select('admissions.reason', 'Reason, if restricted or closed', ['outbreak', 'staffing', 'infectionControl', 'other'], get('admissions.reason')),
      ]),
      section('Outbreak', [
        el('div', { class: 'field' }, [el('label', {}, [el('input', { type: 'checkbox', name: 'outbreak.active', checked: get('outbreak.active') === true }), document.createTextNode(' There is an outbreak now')])]),
        number('outbreak.residentsConfirmed', 'Residents with a confirmed case', get('outbreak.residentsConfirmed')),
        number('outbreak.residentsSuspected', 'Residents with a suspected case', get('outbreak.residentsSuspected')),
        number('outbreak.staffConfirmed', 'Staff with a confirmed case', get('outbreak.staffConfirmed')),
      ]),
      section('Workforce', [
        number('workforce.staffEmployed', 'Staff employed', get('workforce.staffEmployed')),
        number('workforce.staffAbsent', 'Staff absent today', get('workforce.staffAbsent')),
        number('workforce.staffAbsentCovid', 'Of whom absent for COVID-19', get('workforce.staffAbsentCovid')),
        number('workforce.agencyStaffShifts', 'Agency staff shifts', get('workforce.agencyStaffShifts')),
      ]),
      section('PPE: days of supply left', Object.keys(PPE).map(function (item) { return number('ppe.' + item, PPE[item], get('ppe.' + item), 365); })),
      section('Visiting', [choice('visiting', 'Visiting is', { open: 'Open', restricted: 'Restricted', closed: 'Closed' }, get('visiting') || 'open')]),
      el('div', { class: 'field' }, [
        el('label', { for: 'f-notes', text: 'Notes (optional)' }),
        el('textarea', { id: 'f-notes', name: 'notes', maxlength: '1000', rows: '3' }, []),
      ]),
      el('button', { type: 'submit', text: 'Send today’s figures' }),
    ]);
  }

  function collect(form, location) {
    var value = function (name) { var input = form.elements.namedItem(name); return input ? input.value : ''; };
    var count = function (name) { var v = value(name).trim(); return v === '' ? undefined : Number(v); };
    var body = { vacancies: {}, beds: {}, admissions: {}, outbreak: {}, workforce: {}, ppe: {} };
    location.categories.forEach(function (category) {
      body.vacancies[category] = { male: count('vacancies.' + category + '.male'), female: count('vacancies.' + category + '.female'), any: count('vacancies.' + category + '.any') };
    });
    ['occupied', 'vacantReserved', 'vacantNotAdmittable'].forEach(function (key) { body.beds[key] = count('beds.' + key); });
    if (value('beds.notAdmittableReason')) body.beds.notAdmittableReason = value('beds.notAdmittableReason');
    body.admissions.status = (form.querySelector('input[name="admissions.status"]:checked') || {}).value;
    if (value('admissions.reason') && body.admissions.status !== 'open') body.admissions.reason = value('admissions.reason');
    body.outbreak.active = form.elements.namedItem('outbreak.active').checked;
    ['residentsConfirmed', 'residentsSuspected', 'staffConfirmed'].forEach(function (key) { body.outbreak[key] = count('outbreak.' + key); });
    ['staffEmployed', 'staffAbsent', 'staffAbsentCovid', 'agencyStaffShifts'].forEach(function (key) { body.workforce[key] = count('workforce.' + key); });
    Object.keys(PPE).forEach(function (item) { body.ppe[item] = count('ppe.' + item); });
    body.visiting = (form.querySelector('input[name="visiting"]:checked') || {}).value;
    if (value('notes').trim()) body.notes = value('notes').trim();
    return body;
  }

  /** The same rules the server applies, so most mistakes are caught before a round trip. */
  function check(form) {
    var errors = [];
    form.querySelectorAll('input[type=number]').forEach(function (input) {
      var v = input.value.trim();
      if (v === '') errors.push({ path: input.name, message: 'is required' });
      else if (!/^\d+$/.test(v)) errors.push({ path: input.name, message: 'must be a whole number, 0 or more' });
      else if (Number(v) > Number(input.max)) errors.push({ path: input.name, message: 'must be at most ' + input.max });
    });
    if (Number(form.elements.namedItem('beds.vacantNotAdmittable').value) > 0 && !form.elements.namedItem('beds.notAdmittableReason').value) {
      errors.push({ path: 'beds.notAdmittableReason', message: 'is required when beds cannot be used' });
    }
    var admissions = (form.querySelector('input[name="admissions.status"]:checked') || {}).value;
    if (admissions !== 'open' && !form.elements.namedItem('admissions.reason').value) errors.push({ path: 'admissions.reason', message: 'is required when admissions are ' + admissions });
    return errors;
  }

  function showErrors(form, errors) {
    form.querySelectorAll('.error').forEach(function (node) { node.textContent = ''; });
    form.querySelectorAll('[aria-invalid]').forEach(function (node) { node.removeAttribute('aria-invalid'); });
    var old = document.getElementById('error-summary');
    if (old) old.remove();
    if (errors.length === 0) return;
    var summary = el('div', { id: 'error-summary', class: 'problem', role: 'alert', tabindex: '-1' }, [el('h2', { text: 'There is a problem' })]);
    var list = el('ul');
    errors.forEach(function (error) {
      var slot = document.getElementById('f-' + error.path.replace(/\./g, '-') + '-error');
      var input = form.elements.namedItem(error.path);
      if (slot) slot.textContent = error.message;
      if (input && input.setAttribute) input.setAttribute('aria-invalid', 'true');
      var target = input && input.id ? '#' + input.id : '#return-form';
      var label = input && input.id ? document.querySelector('label[for="' + input.id + '"]') : null;
      var group = input && input.closest ? input.closest('fieldset') : null;
      var name = label ? (group && group.classList.contains('sex-split') ? group.querySelector('legend').textContent + ', ' : '') + label.textContent : error.path || 'The form';
      list.appendChild(el('li', {}, [el('a', { href: target, text: name + ' ' + error.message })]));
    });
    summary.appendChild(list);
    form.parentNode.insertBefore(summary, form);
    summary.focus();
  }

  function showForm(locationId) {
    ct.get('/v1/locations/' + encodeURIComponent(locationId)).then(function (location) {
      var today = londonToday();
      var latest = location.latestReturn;
      var fresh = freshness(location.lastUpdated);
      page.textContent = '';
      page.appendChild(el('h1', { text: location.name }));
      page.appendChild(el('p', { class: 'muted', text: location.locationId + ' · ' + location.registeredBeds + ' registered beds · ' + fresh.text }));
      page.appendChild(el('p', { text: latest ? 'The form shows your last figures (' + latest.reportDate + '): change what has changed.' : 'No figures yet: fill in every box.' }));
      var area = el('aside', { id: 'area', class: 'area', 'aria-label': 'Your area today' });
      page.appendChild(area);
      ct.get('/v1/locations/' + encodeURIComponent(location.locationId) + '/area').then(function (figures) {
        var shown = figures.today.locationsReporting > 0 ? figures.today : figures.yesterday;
        var label = shown === figures.today ? 'Today' : 'Yesterday';
        area.appendChild(el('h2', { text: 'Your area (' + figures.localAuthority + ')' }));
        area.appendChild(el('p', {
          text: label + ': ' + shown.locationsReporting + ' of ' + shown.locationsExpected + ' homes have updated; ' +
            shown.vacancies + ' vacancies' + (shown.occupancy === null ? '' : '; ' + Math.round(shown.occupancy * 100) + '% of beds occupied') + '.',
        }));
      }, function () { area.remove(); });
      var form = buildForm(location, latest);
      var pending = null; // the submission still without a definite answer: { what, key }
      page.appendChild(form);
      say('Figures for ' + today);
      form.addEventListener('submit', function (event) {
        event.preventDefault();
        var saved = document.getElementById('confirmation');
        if (saved) saved.remove();
        var errors = check(form);
        showErrors(form, errors);
        if (errors.length > 0) return;
        var headers = latest && latest.reportDate === today ? { 'if-match': '"' + latest.version + '"' } : {};
        var body = collect(form, location);
        // One Idempotency-Key per submission. Sending the same figures again after no answer (or "busy")
        // is a retry of that submission and keeps its key, so it is saved once; anything else is a new one.
        var what = JSON.stringify([body, headers]);
        if (!pending || pending.what !== what) pending = { what: what, key: ct.newIdempotencyKey() };
        var submission = pending;
        ct.write('PUT', '/v1/locations/' + encodeURIComponent(location.locationId) + '/returns/' + today, body, headers, submission.key).then(function (result) {
          if (pending === submission) pending = null;
          var saved = result.body;
          latest = saved;
          var done = el('div', { id: 'confirmation', class: 'done', role: 'alert', tabindex: '-1' }, [
            el('h2', { text: 'Your figures are saved' }),
            el('p', { text: 'Return for ' + saved.reportDate + ', saved ' + when(saved.submittedAt) + ', version ' + saved.version + '.' }),
          ]);
          done.appendChild(el('p', {}, [el('a', { href: '/', text: 'Back to your locations' })]));
          if (saved.warnings.length > 0) {
            done.appendChild(el('p', { text: 'They were saved, but please check:' }));
            done.appendChild(el('ul', {}, saved.warnings.map(function (warning) { return el('li', { text: warning.message }); })));
          }
          var old = document.getElementById('confirmation');
          if (old) old.remove();
          form.parentNode.insertBefore(done, form);
          done.focus();
          say('Saved, version ' + saved.version);
        }, function (error) {
          if (pending === submission && !ct.mayRetry(error)) pending = null;
          var problem = error.problem || {};
          showErrors(form, problem.errors && problem.errors.length ? problem.errors : [{ path: '', message: error.message }]);
          say('Not saved: ' + error.message);
        });
      });
    }, function (error) { say(error.message); });
  }

  // --- sign-in ------------------------------------------------------------------------------------
  function demoSignIn(then) {
    fetch(ct.api + '/local/users').then(function (response) {
      if (!response.ok) throw new Error('no demo sign-in here');
      return response.json();
    }).then(function (users) {
      page.textContent = '';
      page.appendChild(el('h1', { text: 'Sign in' }));
      say('Choose a demo user (the local stack signs you in without a password).');
      var list = el('ul');
      users.filter(function (user) { return user.role === 'provider' || user.role === 'admin'; }).forEach(function (user) {
        var button = el('button', { type: 'button', text: user.id + ' (' + user.role + ')' });
        button.addEventListener('click', function () { ct.demoSignIn(user.id).then(then); });
        list.appendChild(el('li', {}, [button]));
      });
      page.appendChild(list);
    }).catch(function () { say('Sign in through your organisation to continue.'); });
  }

  /** The deployed site: Cognito's sign-in page, which brings the user back to this page. */
  function accountSignIn() {
    page.textContent = '';
    page.appendChild(el('h1', { text: 'Sign in' }));
    say('Sign in with your Capacity Tracker account to continue.');
    page.appendChild(el('p', { text: 'Your administrator creates your account. The first time, use the temporary password from your invitation email: you will then choose your own.' }));
    var button = el('button', { type: 'button', text: 'Sign in' });
    button.addEventListener('click', function () { ct.signIn().catch(function (error) { say(error.message); }); });
    page.appendChild(button);
  }

  function start() {
    var locationId = new URLSearchParams(window.location.search).get('location');
    var fromLink = ct.useTokenFromLink();
    var go = function () { if (locationId) showForm(locationId); else showList(); };
    if (fromLink || ct.token()) go();
    else if (ct.signInMode === 'account') accountSignIn();
    else demoSignIn(go);
  }
  start();
})();
