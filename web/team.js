// A manager's team page (DESIGN §10.1), team.html?location=<CQC location ID>: the home's members, with
// their email addresses; make a colleague a manager or not; remove a leaver; add a colleague; where the
// home's reminders go; pause it (closed for refurbishment) and resume it. Without a location, the caller's
// own locations, to choose one.
//
// A colleague joins in one of two ways. They ask on the registration page (register.html) and their
// request waits here, under "Asking to join", for a manager to approve; or the manager adds them by user
// ID: a manager may not list or look up users (GET /v1/users is for admins only) and PUT
// .../members/{userId} names the user by id, so an email typed there is answered with that explanation,
// and an unknown ID with "ask your administrator to invite them first" (the API's 404).
(function () {
  var ct = window.CapacityTracker;
  var ui = ct.ui;
  var el = ui.el;
  var people = ct.people;
  var status = document.getElementById('status');
  var page = document.getElementById('page');
  function say(text) { status.textContent = text; }

  function showTeam(locationId) {
    say('Loading ' + locationId + '…');
    ct.get('/v1/locations/' + encodeURIComponent(locationId)).then(function (location) {
      page.textContent = '';
      document.title = 'Team at ' + location.name + ' — Capacity Tracker';
      page.appendChild(el('h1', { text: location.name }));
      page.appendChild(el('p', {}, [el('a', { href: '/?location=' + encodeURIComponent(location.locationId), text: 'Update the figures for ' + location.name })]));
      var section = el('div', { id: 'team' });
      page.appendChild(section);
      return people.showLocation(section, location, { admin: false, say: say }).then(function (allowed) {
        if (allowed) showRequests(location);
      });
    }).catch(function (error) {
      page.textContent = '';
      page.appendChild(el('h1', { text: 'Your team' }));
      var text = error.status === 404 ? 'There is no location ' + locationId + ' in the directory.' : error.status === 403 ? 'You are not a member of location ' + locationId + '.' : error.message;
      people.tell(page.appendChild(el('div')), 'problem', 'The team cannot be shown', [text]);
      say(text);
    });
  }

  /** Colleagues asking to join (register.html), for a manager to approve or reject. */
  function showRequests(location) {
    var part = el('section', { id: 'requests', class: 'part', 'aria-labelledby': 'requests-title' }, [
      el('h2', { id: 'requests-title', text: 'Asking to join' }),
      el('p', { class: 'muted', text: 'Colleagues who asked, on the registration page, to update the figures for ' + location.name + '. Approve only people you know work here.' }),
    ]);
    var line = el('p', { id: 'requests-status', role: 'status', 'aria-live': 'polite' });
    var list = el('div');
    part.appendChild(line);
    part.appendChild(list);
    page.appendChild(part);
    function tellLine(text) { line.textContent = text; say(text); }
    tellLine('Loading the requests to join…');
    ct.get('/v1/registrations?status=pending&locationId=' + encodeURIComponent(location.locationId)).then(function (result) {
      people.showRequests(list, result.items, {
        id: 'requests',
        say: tellLine,
        decided: function (done) { if (done.status === 'approved') people.showMembers(document.getElementById('members-part'), location, { admin: false, say: say }); },
      });
      part.setAttribute('data-loaded', 'true');
      tellLine(result.items.length === 0 ? 'Nobody is waiting to join.' : ui.plural(result.items.length, 'colleague') + ' waiting to join.');
    }, function (error) { part.setAttribute('data-loaded', 'true'); tellLine(error.message); });
  }

  /** No location asked for: the caller's locations, each a link to its team. */
  function chooseLocation() {
    page.textContent = '';
    page.appendChild(el('h1', { text: 'Your team' }));
    page.appendChild(el('p', { text: 'Choose a home to see and change who can update its figures. Only its managers can change its team.' }));
    var stop = people.progress(page, 'Loading your locations');
    var homes = [];
    function next(token) {
      return ct.get('/v1/locations?limit=100' + (token ? '&nextToken=' + encodeURIComponent(token) : '')).then(function (listing) {
        homes = homes.concat(listing.items);
        if (listing.nextToken) { say('Loading your locations… ' + homes.length + ' so far'); return next(listing.nextToken); }
        return homes;
      });
    }
    say('Loading your locations…');
    next(null).then(function () {
      stop();
      homes.sort(function (a, b) { return a.name.localeCompare(b.name, 'en-GB'); });
      if (homes.length === 0) {
        page.appendChild(el('p', { id: 'homes-none', class: 'notice' }, ['You are not a member of any location yet: ', el('a', { href: '/register.html', text: 'ask to update your home' }), ', and its manager or an administrator will let you in.']));
        say('No locations.');
        return;
      }
      page.appendChild(el('ul', { class: 'results', id: 'homes-list' }, homes.map(function (home) {
        return el('li', {}, [el('a', { href: '/team.html?location=' + encodeURIComponent(home.locationId), text: home.name }), el('span', { class: 'muted', text: ' ' + home.locationId })]);
      })));
      page.appendChild(el('p', {}, [el('a', { href: '/register.html', text: 'Ask to update another home' })]));
      say(ui.plural(homes.length, 'location') + '.');
    }, function (error) { stop(); say(error.message); });
  }

  people.signIn(page, say, ['provider'], function () {
    var locationId = new URLSearchParams(window.location.search).get('location');
    if (locationId) showTeam(locationId.trim());
    else chooseLocation();
  });
})();
