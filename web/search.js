// The discharge team's search (DESIGN §10.3): near a postcode, a district or a town (GET /v1/places turns a
// town into its districts), nearest first, with what a coordinator needs to ring the home; "Show more"
// adds the next page below, so the list keeps its place.
(function () {
  var ct = window.CapacityTracker;
  var ui = ct.ui;
  var el = ui.el;
  var form = document.getElementById('search');
  var status = document.getElementById('status');
  var results = document.getElementById('results');
  var more = document.getElementById('more');
  var nearInput = document.getElementById('near');
  var nearError = document.getElementById('near-error');
  var choices = document.getElementById('near-choices');
  var POSTCODE = /^[A-Z]{1,2}[0-9][0-9A-Z]?( ?[0-9][A-Z]{2})?$/i;
  var CATEGORY_NAMES = {
    residential: 'residential', nursing: 'nursing', dementiaResidential: 'dementia residential', dementiaNursing: 'dementia nursing',
    mentalHealth: 'mental health', learningDisability: 'learning disability', inpatient: 'inpatient',
  };
  var TYPE_NAMES = { careHome: 'Care home', hospice: 'Hospice', communityRehab: 'Community rehabilitation', substanceMisuse: 'Substance misuse service' };
  var current = null; // the query of the search on screen, and its next page
  var found = 0;

  /** "updated 3 hours ago", in words; `old` once the figures are a day old. */
  function age(instant) {
    var minutes = Math.max(0, Math.floor((Date.now() - Date.parse(instant)) / 60000));
    var hours = Math.floor(minutes / 60);
    var text = minutes < 60 ? (minutes < 2 ? 'just now' : minutes + ' minutes ago') : hours < 48 ? ui.plural(hours, 'hour') + ' ago' : Math.floor(hours / 24) + ' days ago';
    return { text: 'Updated ' + text, old: hours >= 24 };
  }

  function fieldProblem(message) {
    nearError.textContent = message;
    nearInput.setAttribute('aria-invalid', 'true');
    nearInput.focus();
  }
  function clearProblem() {
    nearError.textContent = '';
    nearInput.removeAttribute('aria-invalid');
  }

  function result(item) {
    var fresh = age(item.lastUpdated);
    var where = [item.distanceMiles !== undefined ? item.distanceMiles + (item.distanceMiles === 1 ? ' mile' : ' miles') + ' away' : null, TYPE_NAMES[item.type] || item.type, item.localAuthorityName || item.localAuthority].filter(Boolean).join(' · ');
    var beds = Object.keys(item.vacancies).map(function (category) {
      var split = item.vacancies[category];
      var total = split.male + split.female + split.any;
      return total > 0 ? total + ' ' + (CATEGORY_NAMES[category] || category) + ' (' + split.female + ' for women, ' + split.male + ' for men, ' + split.any + ' for anyone)' : null;
    }).filter(Boolean).join('; ');
    var reach = [];
    if (item.address || item.postcode) reach.push(el('span', { class: 'address', text: [item.address, item.postcode].filter(Boolean).join(', ') }));
    if (item.phone) {
      if (reach.length) reach.push(document.createTextNode(' · '));
      reach.push(el('a', { class: 'phone', href: 'tel:' + item.phone.replace(/[^0-9+]/g, ''), text: item.phone, 'aria-label': 'Call ' + item.name + ' on ' + item.phone }));
    }
    var tags = [el('span', { class: 'tag' + (item.admissions.status === 'open' ? '' : ' warn'), text: 'Admissions ' + item.admissions.status })];
    if (item.outbreakActive) tags.push(document.createTextNode(' '), el('span', { class: 'tag warn', text: 'Outbreak' }));
    if (fresh.old) tags.push(document.createTextNode(' '), el('span', { class: 'tag warn stale', text: 'Not updated for over 24 hours' }));
    return el('li', { 'data-location': item.locationId, tabindex: '-1' }, [
      el('h2', { text: item.name }),
      el('p', { class: 'muted where', text: where }),
      reach.length ? el('p', { class: 'reach' }, reach) : null,
      el('p', { class: 'beds', text: beds }),
      el('p', { class: 'fresh' + (fresh.old ? ' stale' : ''), text: fresh.text }),
      el('p', {}, tags),
    ]);
  }

  function showPage(page, first) {
    if (first) { results.textContent = ''; found = 0; }
    var added = page.items.map(result);
    added.forEach(function (node) { results.appendChild(node); });
    found += page.items.length;
    current.nextToken = page.nextToken;
    more.hidden = !page.nextToken;
    var place = current.placeName ? ' near ' + current.placeName : '';
    if (found === 0) status.textContent = 'No place with a matching vacancy' + place + ' within ' + current.query.get('withinMiles') + ' miles has updated in the last 72 hours.';
    else status.textContent = ui.plural(found, 'place') + place + (page.nextToken ? ' so far, nearest first. Show more for the next ones.' : ', nearest first: that is all within ' + current.query.get('withinMiles') + ' miles.');
    // After "Show more": to the first new one, so a keyboard or screen reader user carries on where the list grew.
    if (!first && added[0]) added[0].focus();
  }

  function run(query, placeName) {
    current = { query: query, placeName: placeName, nextToken: null };
    status.textContent = 'Searching' + (placeName ? ' near ' + placeName : '') + '…';
    results.setAttribute('aria-busy', 'true');
    return ct.get('/v1/vacancies?' + query.toString()).then(function (page) {
      results.removeAttribute('aria-busy');
      showPage(page, true);
      offerToSave();
    }, failed);
  }

  function failed(error) {
    results.removeAttribute('aria-busy');
    var field = ((error.problem || {}).errors || [])[0];
    if (field && field.path === 'query.near') fieldProblem('Near: ' + field.message);
    status.textContent = error.message;
  }

  more.addEventListener('click', function () {
    if (!current || !current.nextToken) return;
    var query = new URLSearchParams(current.query);
    query.set('nextToken', current.nextToken);
    more.disabled = true;
    status.textContent = 'Loading more…';
    ct.get('/v1/vacancies?' + query.toString()).then(function (page) { more.disabled = false; showPage(page, false); }, function (error) { more.disabled = false; failed(error); });
  });

  /** The search as the form says it, near `district`. */
  function queryFor(district) {
    var query = new URLSearchParams({ near: district, withinMiles: document.getElementById('withinMiles').value, category: document.getElementById('category').value, admitting: String(document.getElementById('admitting').checked), limit: '20' });
    var type = document.getElementById('type').value;
    if (type) query.set('type', type);
    var sex = form.querySelector('input[name=sex]:checked').value;
    if (sex) query.set('sex', sex);
    return query;
  }

  /** A town has several districts: search near the best match, and offer the others. */
  function offer(places, chosen) {
    choices.textContent = '';
    var others = places.filter(function (place) { return place !== chosen; }).slice(0, 6);
    if (others.length === 0) return;
    choices.appendChild(el('p', { class: 'hint', text: 'Or near:' }));
    choices.appendChild(el('ul', { class: 'inline' }, others.map(function (place) {
      var button = el('button', { type: 'button', class: 'link', text: placeName(place) });
      button.addEventListener('click', function () { run(queryFor(place.code), placeName(place)); });
      return el('li', {}, [button]);
    })));
  }
  function placeName(place) { return (place.town || place.area || place.code) + ' (' + place.code + ')'; }

  function search(event) {
    if (event) event.preventDefault();
    clearProblem();
    choices.textContent = '';
    var near = nearInput.value.trim();
    if (!near) { fieldProblem('Say near where: a postcode, a district or a town.'); status.textContent = 'Say near where.'; return; }
    if (POSTCODE.test(near)) { run(queryFor(near), near.toUpperCase()); return; }
    status.textContent = 'Looking up ' + near + '…';
    ct.get('/v1/places?name=' + encodeURIComponent(near)).then(function (found) {
      if (found.items.length === 0) { fieldProblem('There is no town or district called “' + near + '” here: try a postcode.'); status.textContent = 'No such place.'; return; }
      var chosen = found.items[0];
      offer(found.items, chosen);
      run(queryFor(chosen.code), placeName(chosen));
    }, failed);
  }

  // Saved searches (POST/GET/DELETE /v1/saved-searches): the search on screen, kept, and an email when a
  // place newly matches it. The address is typed by the user, never taken from anywhere.
  var saveSection = document.getElementById('save-search');
  var saveForm = document.getElementById('save-form');
  var saveEmail = document.getElementById('save-email');
  var saveEmailError = document.getElementById('save-email-error');
  var saveStatus = document.getElementById('save-status');
  var savedSection = document.getElementById('saved');
  var savedList = document.getElementById('saved-list');
  var savedStatus = document.getElementById('saved-status');

  function describeQuery(query) {
    var parts = [(query.category && query.category !== 'any' ? (CATEGORY_NAMES[query.category] || query.category) + ' beds' : 'Any bed') + ' within ' + query.withinMiles + ' miles of ' + query.near];
    if (query.type) parts.push(TYPE_NAMES[query.type] || query.type);
    if (query.sex) parts.push(query.sex === 'female' ? 'for a woman' : 'for a man');
    if (String(query.admitting) === 'true') parts.push('open to admissions');
    return parts.join(', ');
  }
  function savedQuery() {
    var query = {};
    current.query.forEach(function (value, key) { if (key !== 'limit' && key !== 'nextToken') query[key] = value; });
    query.withinMiles = Number(query.withinMiles);
    return query;
  }
  function offerToSave() {
    if (!current || !current.query.get('near')) return;
    saveSection.hidden = false;
    document.getElementById('save-what').textContent = 'This search: ' + describeQuery(savedQuery()) + '.';
    saveStatus.textContent = '';
  }
  function emailProblem(message) {
    saveEmailError.textContent = message;
    saveEmail.setAttribute('aria-invalid', 'true');
    saveEmail.focus();
  }
  saveForm.addEventListener('submit', function (event) {
    event.preventDefault();
    saveEmailError.textContent = '';
    saveEmail.removeAttribute('aria-invalid');
    var email = saveEmail.value.trim();
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) { emailProblem('Enter an email address, like name@nhs.net'); saveStatus.textContent = 'Enter an email address.'; return; }
    saveStatus.textContent = 'Saving…';
    ct.request('POST', '/v1/saved-searches', { query: savedQuery(), email: email }).then(function () {
      saveStatus.textContent = 'Saved. We will email ' + email + ' when a place newly has a bed like this.';
      listSaved();
    }, function (error) {
      var errors = (error.problem || {}).errors || [];
      var onEmail = errors.filter(function (item) { return item.path === 'email'; })[0];
      if (onEmail) emailProblem('Email address: ' + onEmail.message);
      saveStatus.textContent = error.message;
    });
  });

  function listSaved() {
    return ct.get('/v1/saved-searches').then(function (page) {
      savedList.textContent = '';
      savedSection.hidden = page.items.length === 0;
      page.items.forEach(function (item) {
        var remove = el('button', { type: 'button', class: 'link', text: 'Delete', 'aria-label': 'Delete the saved search: ' + describeQuery(item.query) });
        remove.addEventListener('click', function () {
          remove.disabled = true;
          ct.request('DELETE', '/v1/saved-searches/' + encodeURIComponent(item.searchId)).then(function () {
            savedStatus.textContent = 'Deleted: ' + describeQuery(item.query) + '.';
            listSaved();
          }, function (error) { remove.disabled = false; savedStatus.textContent = error.message; });
        });
        savedList.appendChild(el('li', { 'data-search': item.searchId }, [el('span', { text: describeQuery(item.query) + ', to ' + item.email + ' ' }), remove]));
      });
    }, function () { savedSection.hidden = true; });
  }

  function start() {
    form.addEventListener('submit', search);
    var who = document.getElementById('signed-in');
    var asked = new URLSearchParams(window.location.search).get('near');
    if (asked) nearInput.value = asked;
    var ready = function () { status.textContent = 'Say near where, then search.'; listSaved(); if (asked) search(); };
    if (ct.token()) return ready();
    // The deployed site signs in with Cognito's managed login; the local stack has a demo sign-in.
    if (ct.offerSignIn(status, 'Sign in to search.')) return;
    ct.demoSignIn('discharge').then(function () { who.textContent = 'Signed in as the demo discharge team'; ready(); }, function () {
      status.textContent = 'Sign in to search.';
    });
  }
  start();
})();
