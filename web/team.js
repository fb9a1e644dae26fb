// A manager's team page (DESIGN §10.1), team.html?location=<CQC location ID>: the home's members, with
// their email addresses; make a colleague a manager or not; remove a leaver; add a colleague; where the
// home's reminders go; pause it (closed for refurbishment) and resume it. Without a location, the caller's
// own locations, to choose one.
//
// Adding a colleague takes their user ID, not their email: a manager may not list or look up users
// (GET /v1/users is for admins only) and PUT .../members/{userId} names the user by id. So an admin
// invites the colleague (admin.html shows the new user's ID) and gives the ID to the manager; an email
// typed here is answered with that explanation, and an unknown ID with "ask your administrator to invite
// them first" (the API's 404).
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
      return people.showLocation(section, location, { admin: false, say: say });
    }).catch(function (error) {
      page.textContent = '';
      page.appendChild(el('h1', { text: 'Your team' }));
      var text = error.status === 404 ? 'There is no location ' + locationId + ' in the directory.' : error.status === 403 ? 'You are not a member of location ' + locationId + '.' : error.message;
      people.tell(page.appendChild(el('div')), 'problem', 'The team cannot be shown', [text]);
      say(text);
    });
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
        page.appendChild(el('p', { id: 'homes-none', class: 'notice', text: 'You are not a member of any location yet: ask your administrator to add you, or a manager of your home.' }));
        say('No locations.');
        return;
      }
      page.appendChild(el('ul', { class: 'results', id: 'homes-list' }, homes.map(function (home) {
        return el('li', {}, [el('a', { href: '/team.html?location=' + encodeURIComponent(home.locationId), text: home.name }), el('span', { class: 'muted', text: ' ' + home.locationId })]);
      })));
      say(ui.plural(homes.length, 'location') + '.');
    }, function (error) { stop(); say(error.message); });
  }

  people.signIn(page, say, ['provider'], function () {
    var locationId = new URLSearchParams(window.location.search).get('location');
    if (locationId) showTeam(locationId.trim());
    else chooseLocation();
  });
})();
