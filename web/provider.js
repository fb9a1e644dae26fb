// The provider's pages: the overview of their homes (overview.js), and the daily update form
// for one location and any of the last seven days, pre-filled from that day's return (a correction) or
// the latest before it, with the day's saved versions and what each changed below it. Field names are the
// API's field paths, so the server's problem+json errors[].path lands beside the right field.
(function () {
  var ct = window.CapacityTracker;
  var status = document.getElementById('status');
  var page = document.getElementById('page');

  var LABELS = {
    residential: 'Residential', nursing: 'Nursing', dementiaResidential: 'Dementia residential', dementiaNursing: 'Dementia nursing',
    mentalHealth: 'Mental health', learningDisability: 'Learning disability', inpatient: 'Inpatient',
  };
  var REASONS = { refurbishment: 'Refurbishment', staffing: 'Staffing', infectionControl: 'Infection control', other: 'Other', outbreak: 'Outbreak' };
  var PPE = { gloves: 'Gloves', aprons: 'Aprons', fluidResistantMasks: 'Fluid-resistant masks', ffp3Masks: 'FFP3 masks', eyeProtection: 'Eye protection', handHygiene: 'Hand hygiene' };
  var SEXES = { female: 'Women', male: 'Men', any: 'Anyone' };
  var STATES = { open: 'Open', restricted: 'Restricted', closed: 'Closed' };
  /** The form's labels by field path; the history of changes names fields with them too. */
  var FIELDS = {
    'beds.occupied': 'Occupied', 'beds.vacantReserved': 'Vacant but reserved', 'beds.vacantNotAdmittable': 'Vacant but cannot be used', 'beds.notAdmittableReason': 'Why they cannot be used',
    'admissions.status': 'Admissions are', 'admissions.reason': 'Reason, if restricted or closed',
    'outbreak.active': 'There is an outbreak now', 'outbreak.residentsConfirmed': 'Residents with a confirmed case', 'outbreak.residentsSuspected': 'Residents with a suspected case', 'outbreak.staffConfirmed': 'Staff with a confirmed case',
    'workforce.staffEmployed': 'Staff employed', 'workforce.staffAbsent': 'Staff absent today', 'workforce.staffAbsentCovid': 'Of whom absent for COVID-19', 'workforce.agencyStaffShifts': 'Agency staff shifts',
    visiting: 'Visiting is', notes: 'Notes (optional)',
  };
  /** Where a form label needs its section to make sense on its own line of the history. */
  var CHANGE_NAMES = {
    'beds.occupied': 'Beds occupied', 'beds.vacantReserved': 'Beds vacant but reserved', 'beds.vacantNotAdmittable': 'Beds vacant but cannot be used', 'beds.notAdmittableReason': 'Why beds cannot be used',
    'admissions.status': 'Admissions', 'admissions.reason': 'Why admissions are restricted or closed', 'outbreak.active': 'Outbreak now',
    'workforce.staffAbsentCovid': 'Staff absent for COVID-19', visiting: 'Visiting', notes: 'Notes',
  };
  /** How many days back a return may be made or corrected (DESIGN §5): the picker offers today and these. */
  var DAYS_BACK = 7;
  /** Was this page opened by a reminder's update link (which can do nothing but this form)? */
  var openedByLink = false;

  var ui = ct.ui;
  var el = ui.el;
  var londonToday = ui.londonToday;
  var addDays = ui.addDays;
  var dayName = ui.dayName;
  var possessive = ui.possessive;
  var when = ui.when;
  var freshness = ui.freshness;
  function say(text) { status.textContent = text; }

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

  /** The form for `day`, pre-filled from `source` (that day's return, or the latest before it); notes only from the day's own. */
  function buildForm(location, source, day, own) {
    var r = source || {};
    var get = function (path) { return path.split('.').reduce(function (value, key) { return value == null ? undefined : value[key]; }, r); };
    var vacancies = location.categories.map(function (category) {
      return el('fieldset', { class: 'field sex-split' }, [
        el('legend', { text: LABELS[category] }),
      ].concat(['female', 'male', 'any'].map(function (sex) { return number('vacancies.' + category + '.' + sex, SEXES[sex], get('vacancies.' + category + '.' + sex)); })));
    });
    return el('form', { id: 'return-form', novalidate: true }, [
      section('Vacancies: beds free and accepting admissions now', vacancies),
      section('Beds', ['beds.occupied', 'beds.vacantReserved', 'beds.vacantNotAdmittable'].map(function (path) { return number(path, FIELDS[path], get(path)); }).concat([
        select('beds.notAdmittableReason', FIELDS['beds.notAdmittableReason'], ['refurbishment', 'staffing', 'infectionControl', 'other'], get('beds.notAdmittableReason')),
      ])),
      section('Admissions', [
        choice('admissions.status', FIELDS['admissions.status'], STATES, get('admissions.status') || 'open'),
        select('admissions.reason', FIELDS['admissions.reason'], ['outbreak', 'staffing', 'infectionControl', 'other'], get('admissions.reason')),
      ]),
      section('Outbreak', [
        el('div', { class: 'field' }, [el('label', {}, [el('input', { type: 'checkbox', name: 'outbreak.active', checked: get('outbreak.active') === true }), document.createTextNode(' ' + FIELDS['outbreak.active'])])]),
      ].concat(['outbreak.residentsConfirmed', 'outbreak.residentsSuspected', 'outbreak.staffConfirmed'].map(function (path) { return number(path, FIELDS[path], get(path)); }))),
      section('Workforce', ['workforce.staffEmployed', 'workforce.staffAbsent', 'workforce.staffAbsentCovid', 'workforce.agencyStaffShifts'].map(function (path) { return number(path, FIELDS[path], get(path)); })),
      section('PPE: days of supply left', Object.keys(PPE).map(function (item) { return number('ppe.' + item, PPE[item], get('ppe.' + item), 365); })),
      section('Visiting', [choice('visiting', FIELDS.visiting, STATES, get('visiting') || 'open')]),
      el('div', { class: 'field' }, [
        el('label', { for: 'f-notes', text: FIELDS.notes }),
        el('textarea', { id: 'f-notes', name: 'notes', maxlength: '1000', rows: '3', text: own && own.notes ? own.notes : '' }, []),
      ]),
      el('button', { type: 'submit', text: dayName(day).indexOf(' ') < 0 ? 'Send ' + possessive(day) + ' figures' : 'Send the figures for ' + dayName(day) }),
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

  // --- the day's saved versions -------------------------------------------------------------------
  function changeName(path) {
    var parts = path.split('.');
    if (parts[0] === 'vacancies') return (LABELS[parts[1]] || parts[1]) + ' vacancies, ' + (SEXES[parts[2]] || parts[2]).toLowerCase();
    if (parts[0] === 'ppe') return (PPE[parts[1]] || parts[1]) + ' (days of supply)';
    return CHANGE_NAMES[path] || FIELDS[path] || path;
  }
  function answer(path, value) {
    if (value === null || value === undefined || value === '') return 'none';
    if (value === true) return 'yes';
    if (value === false) return 'no';
    if (path === 'notes') return '“' + (value.length > 60 ? value.slice(0, 59) + '…' : value) + '”';
    if (typeof value === 'string') return STATES[value] || REASONS[value] || value;
    return String(value);
  }
  function who(submittedBy) { return /^update-link:/.test(submittedBy) ? 'a reminder email’s link' : submittedBy; }

  /** "Version 2, saved 1 Dec 2026, 09:14 by …" and what it changed, newest first. */
  function historyList(items, day) {
    return el('ol', { class: 'history' }, items.map(function (item) {
      var lines = [el('p', { class: 'history-when' }, [el('strong', { text: 'Version ' + item.version }), document.createTextNode(', saved ' + when(item.submittedAt) + ' by ' + who(item.submittedBy))])];
      if (item.confirmedFrom) {
        lines.push(el('p', { text: '“Nothing has changed”: repeated ' + (item.confirmedFrom.reportDate === day ? 'version ' + item.confirmedFrom.version : possessive(item.confirmedFrom.reportDate) + ' figures') + '.' }));
      }
      if (!item.comparedWith) lines.push(el('p', { text: 'The first figures saved: every answer is new.' }));
      else if (item.changes.length === 0) lines.push(el('p', { text: 'Nothing changed.' }));
      else {
        var fromDay = item.comparedWith.reportDate === day ? 'Changed:' : 'Changed from ' + possessive(item.comparedWith.reportDate) + ' figures:';
        lines.push(el('p', { text: fromDay }));
        lines.push(el('ul', { class: 'changes' }, item.changes.map(function (change) {
          return el('li', { text: changeName(change.path) + ': ' + answer(change.path, change.from) + ' → ' + answer(change.path, change.to) });
        })));
      }
      return el('li', {}, lines);
    }));
  }

  // --- the update form ----------------------------------------------------------------------------
  function showForm(locationId) {
    var today = londonToday();
    ct.get('/v1/locations/' + encodeURIComponent(locationId)).then(function (location) {
      // The returns of the week and the one before it: the 9 newest up to today hold every day's own
      // return and the latest before each day. A caller who may not list returns (an update link, an
      // admin) gets today's form, as before, from the location's latest return.
      return ct.get('/v1/locations/' + encodeURIComponent(locationId) + '/returns?to=' + today + '&limit=' + (DAYS_BACK + 2)).then(function (page) {
        return { location: location, week: page.items };
      }, function () { return { location: location, week: null }; });
    }).then(function (loaded) {
      var location = loaded.location;
      var week = loaded.week;
      var latest = location.latestReturn;
      var fresh = freshness(location.lastUpdated);
      page.textContent = '';
      page.appendChild(el('h1', { text: location.name }));
      page.appendChild(el('p', { class: 'muted', text: location.locationId + ' · ' + location.registeredBeds + ' registered beds · ' + fresh.text }));
      // An update link opens this form alone; a signed-in manager also looks after the team here.
      if (!openedByLink) page.appendChild(el('p', {}, [el('a', { href: '/team.html?location=' + encodeURIComponent(location.locationId), text: 'Team and reminder addresses' })]));
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

      var picker = null;
      if (week) {
        var options = [];
        for (var back = 0; back <= DAYS_BACK; back += 1) {
          var option = addDays(today, -back);
          options.push(el('option', { value: option, text: dayName(option) + (week.some(function (r) { return r.reportDate === option; }) ? ' (saved)' : '') }));
        }
        picker = el('select', { id: 'report-day', name: 'reportDate', 'aria-describedby': 'report-day-hint' }, options);
        page.appendChild(el('div', { class: 'field day-picker' }, [
          el('label', { for: 'report-day', text: 'Which day are these figures for?' }),
          el('span', { class: 'hint', id: 'report-day-hint', text: 'Today or one of the 7 days before it.' }),
          picker,
        ]));
      }
      var intro = el('div', { id: 'form-intro' });
      page.appendChild(intro);
      var form = null;
      var history = el('section', { id: 'history', 'aria-labelledby': 'history-title', hidden: true });
      var historyReadable = true; // until the API says this caller may not read versions (an update link)
      var day = today;

      /** The day's own return (a correction) and the latest return before the day, as far as the page knows. */
      function known(forDay) {
        if (!week) return { own: latest && latest.reportDate === forDay ? latest : null, before: latest && latest.reportDate < forDay ? latest : null };
        var own = null;
        var before = null;
        week.forEach(function (r) {
          if (r.reportDate === forDay) own = r;
          else if (r.reportDate < forDay && (!before || r.reportDate > before.reportDate)) before = r;
        });
        return { own: own, before: before };
      }
      function remember(saved) {
        if (week) week = week.filter(function (r) { return r.reportDate !== saved.reportDate; }).concat([saved]);
        if (!latest || saved.reportDate >= latest.reportDate) latest = saved;
        if (picker) {
          var option = picker.querySelector('option[value="' + saved.reportDate + '"]');
          if (option) option.textContent = dayName(saved.reportDate) + ' (saved)';
        }
      }
      function showIntro() {
        var k = known(day);
        intro.textContent = '';
        if (k.own) {
          intro.appendChild(el('div', { id: 'correcting', class: 'notice' }, [
            el('p', {}, [el('strong', { text: 'You are correcting ' + possessive(day) + ' figures' })]),
            el('p', { text: 'Version ' + k.own.version + ' was saved ' + when(k.own.submittedAt) + '. Change what was wrong and send them again: the new version replaces it, and every version is kept.' }),
          ]));
        } else {
          intro.appendChild(el('p', { text: k.before ? 'The form shows your last figures (' + dayName(k.before.reportDate) + '): change what has changed.' : 'No figures yet: fill in every box.' }));
        }
      }
      function loadHistory() {
        if (!historyReadable) return;
        var forDay = day;
        ct.get('/v1/locations/' + encodeURIComponent(location.locationId) + '/returns/' + forDay + '/versions').then(function (result) {
          if (forDay !== day) return;
          history.textContent = '';
          history.hidden = result.items.length === 0;
          history.appendChild(el('h2', { id: 'history-title', text: 'Saved versions of ' + possessive(forDay) + ' figures' }));
          history.appendChild(historyList(result.items, forDay));
        }, function () {
          // Not for this caller (an update link may only write): no history, and no error either.
          historyReadable = false;
          history.hidden = true;
        });
      }

      var pending = null; // the submission still without a definite answer: { what, key }
      function showDay() {
        var k = known(day);
        var replaced = form;
        form = buildForm(location, k.own || k.before, day, k.own);
        if (replaced) replaced.replaceWith(form);
        else {
          page.appendChild(form);
          page.appendChild(history);
        }
        ['confirmation', 'error-summary'].forEach(function (id) { var old = document.getElementById(id); if (old) old.remove(); });
        showIntro();
        history.hidden = true;
        loadHistory();
        say('Figures for ' + dayName(day) + ' (' + day + ')');
        form.addEventListener('submit', submit);
      }

      function submit(event) {
        event.preventDefault();
        var saved = document.getElementById('confirmation');
        if (saved) saved.remove();
        var errors = check(form);
        showErrors(form, errors);
        if (errors.length > 0) return;
        // Correcting a day that has a return: only over the version shown, so a change made meanwhile is a 412.
        var own = known(day).own;
        var headers = own ? { 'if-match': '"' + own.version + '"' } : {};
        var body = collect(form, location);
        var forDay = day;
        // One Idempotency-Key per submission. Sending the same figures again after no answer (or "busy")
        // is a retry of that submission and keeps its key, so it is saved once; anything else is a new one.
        var what = JSON.stringify([forDay, body, headers]);
        if (!pending || pending.what !== what) pending = { what: what, key: ct.newIdempotencyKey() };
        var submission = pending;
        ct.write('PUT', '/v1/locations/' + encodeURIComponent(location.locationId) + '/returns/' + forDay, body, headers, submission.key).then(function (result) {
          if (pending === submission) pending = null;
          var saved = result.body;
          remember(saved);
          if (forDay !== day) return;
          var done = el('div', { id: 'confirmation', class: 'done', role: 'alert', tabindex: '-1' }, [
            el('h2', { text: 'Your figures are saved' }),
            el('p', { text: 'Return for ' + dayName(saved.reportDate) + ' (' + saved.reportDate + '), saved ' + when(saved.submittedAt) + ', version ' + saved.version + '.' }),
          ]);
          done.appendChild(el('p', {}, [el('a', { href: '/', text: 'Back to all your locations' })]));
          if (saved.warnings.length > 0) {
            done.appendChild(el('p', { text: 'They were saved, but please check:' }));
            done.appendChild(el('ul', {}, saved.warnings.map(function (warning) { return el('li', { text: warning.message }); })));
          }
          var old = document.getElementById('confirmation');
          if (old) old.remove();
          showIntro();
          form.parentNode.insertBefore(done, form);
          done.focus();
          loadHistory();
          say('Saved, version ' + saved.version);
        }, function (error) {
          if (pending === submission && !ct.mayRetry(error)) pending = null;
          if (forDay !== day) return;
          var problem = error.problem || {};
          showErrors(form, problem.errors && problem.errors.length ? problem.errors : [{ path: '', message: error.message }]);
          // Someone else saved this day meanwhile: their version shows in the history.
          if (error.status === 412) loadHistory();
          say('Not saved: ' + error.message);
        });
      }

      if (picker) picker.addEventListener('change', function () { day = picker.value; showDay(); });
      showDay();
    }).catch(function (error) { say(error.message); });
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
    openedByLink = fromLink;
    var go = function () { if (locationId) showForm(locationId); else ct.showOverview(page, say); };
    if (fromLink || ct.token()) go();
    else if (ct.signInMode === 'account') accountSignIn();
    else demoSignIn(go);
  }
  start();
})();
