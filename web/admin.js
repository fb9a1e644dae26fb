// The admin area (DESIGN §10.1): users (list by role, find by email, invite, change role or areas, disable
// and enable); a location's members and managers, where its reminders go, and its pause; the registration
// queue; the locations no reminder or no one can reach; and the audit trail. A section whose route the API
// does not have yet says so.
(function () {
  var ct = window.CapacityTracker;
  var ui = ct.ui;
  var el = ui.el;
  var people = ct.people;
  var ROLES = people.ROLES;
  var status = document.getElementById('status');
  var page = document.getElementById('page');
  /** Users a screen; the API's largest page is 100. */
  var USERS_PAGE = 50;
  var AUDIT_PAGE = 50;
  /** Rows of the unreachable report shown at once (it is one answer; an area narrows it). */
  var UNREACHABLE_ROWS = 200;
  var AREA = /^(E0[689][0-9]{6}|E10[0-9]{6}|E1200000[1-9])$/;
  function say(text) { status.textContent = text; }

  /** A section: heading, its own progress line (a polite live region), and what it holds. */
  function section(id, title, intro) {
    var line = el('div', { id: id + '-status', class: 'section-status', role: 'status', 'aria-live': 'polite' });
    var node = el('section', { id: id, class: 'panel', 'aria-labelledby': id + '-title' }, [
      el('h2', { id: id + '-title', text: title }),
      intro ? el('p', { class: 'muted', text: intro }) : null,
      line,
    ]);
    node.say = function (text) { line.textContent = text; };
    return node;
  }
  function cell(labelText, children, attributes) { return el('td', Object.assign({ 'data-label': labelText }, attributes || {}), children); }
  function roleSelect(id, name, value, withAny) {
    var options = withAny ? [el('option', { value: '', text: 'Any role' })] : [];
    Object.keys(ROLES).forEach(function (role) { options.push(el('option', { value: role, text: ROLES[role], selected: role === value })); });
    return el('select', { id: id, name: name, 'aria-describedby': id + '-error' }, options);
  }
  function selectField(id, label, select) {
    return el('div', { class: 'field', id: id + '-field' }, [el('label', { for: id, text: label }), el('span', { class: 'error', id: id + '-error' }), select]);
  }
  /** "E08000004, E12000002" or one a line → ['E08000004', 'E12000002']. */
  function areasOf(text) { return text.split(/[\s,;]+/).map(function (code) { return code.trim().toUpperCase(); }).filter(Boolean); }
  function roleText(user) { return ROLES[user.role] + (user.areas && user.areas.length ? ' (' + user.areas.join(', ') + ')' : ''); }
  /** "a commissioner user for E08000004", "a care provider user". */
  function roleWords(user) { return 'a ' + ROLES[user.role].toLowerCase() + ' user' + (user.areas && user.areas.length ? ' for ' + user.areas.join(', ') : ''); }
  var AREAS_HINT = 'ONS codes of councils (E06, E08, E09 or E10) or regions (E12), separated by commas. For example E08000004 (Oldham).';

  // --- users ----------------------------------------------------------------------------------------
  function usersSection() {
    var node = section('users', 'Users', 'Everyone who signs in, by email. Only commissioners have areas.');
    var message = el('div', { id: 'users-message' });

    // Invite.
    var invite = el('form', { id: 'invite-form', novalidate: true, 'aria-labelledby': 'invite-title' }, [
      el('h3', { id: 'invite-title', text: 'Invite someone' }),
      people.field('invite-email', 'Email address', { name: 'email', type: 'email', autocomplete: 'off', spellcheck: 'false' }),
      selectField('invite-role', 'Role', roleSelect('invite-role', 'role', 'provider')),
      people.field('invite-areas', 'Areas', { name: 'areas', type: 'text', autocomplete: 'off', spellcheck: 'false' }, AREAS_HINT),
      el('button', { type: 'submit', text: 'Send the invitation' }),
    ]);
    var inviteAreas = invite.querySelector('#invite-areas-field');
    function showAreas() { inviteAreas.hidden = invite.elements.namedItem('role').value !== 'commissioner'; }
    invite.elements.namedItem('role').addEventListener('change', showAreas);
    showAreas();
    invite.addEventListener('submit', function (event) {
      event.preventDefault();
      message.textContent = '';
      var email = invite.elements.namedItem('email').value.trim();
      var role = invite.elements.namedItem('role').value;
      var body = { email: email, role: role };
      var errors = [];
      if (!email) errors.push({ path: 'email', message: 'enter their email address' });
      if (role === 'commissioner') {
        body.areas = areasOf(invite.elements.namedItem('areas').value);
        if (body.areas.length === 0) errors.push({ path: 'areas', message: 'a commissioner needs at least one area' });
      }
      people.showErrors(invite, errors);
      if (errors.length > 0) return;
      node.say('Inviting ' + email + '…');
      ct.request('POST', '/v1/users', body).then(function (result) {
        var user = people.remember(result.body);
        people.showErrors(invite, []);
        invite.reset();
        showAreas();
        people.tell(message, 'done', 'Invitation sent to ' + user.email, [
          el('p', {}, [document.createTextNode(user.email + ' is now ' + roleWords(user) + '. Their user ID is '), el('strong', { class: 'user-id', text: user.userId }),
            document.createTextNode(user.role === 'provider' ? ': a home’s manager adds them to the team with it, or add them under “A location’s members”.' : '.')]),
        ]).focus();
        node.say('Invited ' + user.email + '.');
        // Show them: the list found by their email.
        filter.elements.namedItem('prefix').value = user.email;
        filter.elements.namedItem('role').value = '';
        load();
      }, function (error) {
        var errors = error.status === 409 ? [{ path: 'email', message: 'is already a user' }] : people.errorsOf(error, { areas: body.areas || [] });
        people.showErrors(invite, errors);
        node.say('Not invited: ' + errors[0].message);
      });
    });

    // The list: by role, or found by the start of their email.
    var filter = el('form', { id: 'users-filter', class: 'filters', novalidate: true, 'aria-label': 'Which users' }, [
      selectField('filter-role', 'Role', roleSelect('filter-role', 'role', '', true)),
      people.field('filter-prefix', 'Email starts with', { name: 'prefix', type: 'search', autocomplete: 'off', spellcheck: 'false' }),
      el('div', { class: 'field' }, [el('button', { type: 'submit', class: 'secondary', text: 'Show users' })]),
    ]);
    var table = el('table', { id: 'users-table', class: 'list stack' });
    var pager = el('nav', { class: 'pager', 'aria-label': 'Pages of users' });
    var edit = el('div', { id: 'user-edit' });
    var state = { tokens: [null], index: 0, items: [], nextToken: null };
    // Only the newest read is shown: a slow page must not replace the list asked for since.
    var latest = 0;

    function render(caption) {
      table.textContent = '';
      table.appendChild(el('caption', { text: caption }));
      table.appendChild(el('thead', {}, [el('tr', {}, ['Email', 'Role', 'Status', 'Invited', 'Change'].map(function (text) { return el('th', { scope: 'col', text: text }); }))]));
      table.appendChild(el('tbody', {}, state.items.map(function (user) {
        var change = el('button', { type: 'button', class: 'secondary', 'data-action': 'change', 'aria-label': 'Change role: ' + user.email, text: 'Change role' });
        var toggle = el('button', { type: 'button', class: user.status === 'active' ? 'warning' : 'secondary', 'data-action': 'status', 'aria-label': (user.status === 'active' ? 'Disable ' : 'Enable ') + user.email, text: user.status === 'active' ? 'Disable' : 'Enable' });
        change.addEventListener('click', function () { editUser(user); });
        toggle.addEventListener('click', function () { patch(user, { disabled: user.status === 'active' }); });
        return el('tr', { 'data-user': user.userId }, [
          el('th', { scope: 'row', 'data-label': 'Email' }, [user.email, el('span', { class: 'hint', text: 'ID ' + user.userId })]),
          cell('Role', [roleText(user)], { class: 'role' }),
          cell('Status', [el('span', { class: 'tag' + (user.status === 'disabled' ? ' warn' : ''), text: user.status === 'active' ? 'Active' : 'Disabled' })], { class: 'user-status' }),
          cell('Invited', [ui.when(user.createdAt) + ' by ' + people.nameOf(user.createdBy)]),
          cell('Change', [el('div', { class: 'actions' }, [change, toggle])]),
        ]);
      })));
    }
    function renderPager(searching) {
      pager.textContent = '';
      if (searching) return;
      var previous = el('button', { type: 'button', class: 'secondary', id: 'users-previous', text: 'Previous page', disabled: state.index === 0 });
      var next = el('button', { type: 'button', class: 'secondary', id: 'users-next', text: 'Next page', disabled: !state.nextToken });
      previous.addEventListener('click', function () { state.index -= 1; loadPage(); });
      next.addEventListener('click', function () { state.tokens[state.index + 1] = state.nextToken; state.index += 1; loadPage(); });
      pager.appendChild(previous);
      pager.appendChild(el('span', { id: 'users-position', text: 'Page ' + (state.index + 1) }));
      pager.appendChild(next);
    }
    function role() { return filter.elements.namedItem('role').value; }
    function loadPage() {
      var request = ++latest;
      node.say('Loading users…');
      people.usersPage({ role: role(), nextToken: state.tokens[state.index], limit: USERS_PAGE }).then(function (result) {
        if (request !== latest) return;
        state.items = result.items;
        state.nextToken = result.nextToken;
        render(role() ? ROLES[role()] + ' users, page ' + (state.index + 1) : 'Users, page ' + (state.index + 1));
        renderPager(false);
        node.setAttribute('data-loaded', 'true');
        node.say(state.items.length === 0 ? 'No users.' : 'Page ' + (state.index + 1) + ': ' + ui.plural(state.items.length, 'user') + '.');
      }, function (error) { if (request === latest) node.say(error.message); });
    }
    function load() {
      var prefix = filter.elements.namedItem('prefix').value.trim();
      edit.textContent = '';
      if (!prefix) { state.tokens = [null]; state.index = 0; loadPage(); return; }
      var request = ++latest;
      node.say('Finding users whose email starts with ' + prefix + '…');
      var stop = people.progress(node, 'Finding users');
      people.findUsers(prefix, role(), function (read) { if (request === latest) node.say('Finding users whose email starts with ' + prefix + '… ' + read + ' read'); }).then(function (found) {
        stop();
        if (request !== latest) return;
        state.items = found;
        render(ui.plural(found.length, 'user') + ' whose email starts with ' + prefix.toLowerCase());
        renderPager(true);
        node.say(found.length === 0 ? 'No user’s email starts with ' + prefix + '.' : ui.plural(found.length, 'user') + ' found.');
      }, function (error) { stop(); if (request === latest) node.say(error.message); });
    }
    filter.addEventListener('submit', function (event) { event.preventDefault(); load(); });

    function replace(user) {
      people.remember(user);
      state.items = state.items.map(function (other) { return other.userId === user.userId ? user : other; });
      render(table.querySelector('caption').textContent);
    }
    function focusRow(user, action) {
      var button = table.querySelector('tr[data-user="' + user.userId + '"] button[data-action="' + action + '"]');
      if (button) button.focus();
    }
    /** Disable, enable, or a new role: the API's refusal (yourself, changed meanwhile) in a box above the list. */
    function patch(user, change) {
      message.textContent = '';
      node.say((change.disabled === true ? 'Disabling ' : change.disabled === false ? 'Enabling ' : 'Changing ') + user.email + '…');
      return ct.request('PATCH', '/v1/users/' + encodeURIComponent(user.userId), change).then(function (result) {
        replace(result.body);
        var now = result.body;
        node.say(change.disabled === true ? now.email + ' is disabled: refused from their next request.' : change.disabled === false ? now.email + ' is enabled again.' : now.email + ' is now ' + roleWords(now) + '.');
        if (change.disabled !== undefined) focusRow(now, 'status');
        return now;
      }, function (error) {
        if (change.disabled === undefined) throw error;
        people.tell(message, 'problem', 'There is a problem', [error.message]).focus();
        node.say('Not changed.');
      });
    }
    function editUser(user) {
      edit.textContent = '';
      message.textContent = '';
      var form = el('form', { id: 'user-form', novalidate: true, 'aria-labelledby': 'user-form-title' }, [
        el('h3', { id: 'user-form-title', tabindex: '-1', text: 'Change the role of ' + user.email }),
        selectField('user-role', 'Role', roleSelect('user-role', 'role', user.role)),
        people.field('user-areas', 'Areas', { name: 'areas', type: 'text', autocomplete: 'off', spellcheck: 'false', value: user.areas.join(', ') }, AREAS_HINT),
      ]);
      var save = el('button', { type: 'submit', text: 'Save the change' });
      var cancel = el('button', { type: 'button', class: 'secondary', text: 'Cancel' });
      form.appendChild(el('div', { class: 'actions' }, [save, cancel]));
      var areasField = form.querySelector('#user-areas-field');
      var showAreas = function () { areasField.hidden = form.elements.namedItem('role').value !== 'commissioner'; };
      form.elements.namedItem('role').addEventListener('change', showAreas);
      showAreas();
      cancel.addEventListener('click', function () { edit.textContent = ''; focusRow(user, 'change'); });
      form.addEventListener('submit', function (event) {
        event.preventDefault();
        var change = { role: form.elements.namedItem('role').value };
        if (change.role === 'commissioner') change.areas = areasOf(form.elements.namedItem('areas').value);
        var errors = change.role === 'commissioner' && change.areas.length === 0 ? [{ path: 'areas', message: 'a commissioner needs at least one area' }] : [];
        people.showErrors(form, errors);
        if (errors.length > 0) return;
        patch(user, change).then(function (now) {
          edit.textContent = '';
          people.tell(message, 'done', 'Role changed', [now.email + ' is now ' + roleWords(now) + ', from their next request.']);
          focusRow(now, 'change');
        }, function (error) {
          var errors = people.errorsOf(error, { areas: change.areas || [] });
          people.showErrors(form, errors);
          node.say('Not changed: ' + errors[0].message);
        });
      });
      edit.appendChild(form);
      form.querySelector('h3').focus();
    }

    [message, invite, el('h3', { text: 'Find users' }), filter, el('div', { class: 'table-wrap' }, [table]), pager, edit].forEach(function (part) { node.appendChild(part); });
    node.start = load;
    return node;
  }

  // --- a location's members -------------------------------------------------------------------------
  function locationSection() {
    var node = section('location', 'A location’s members', 'The care provider users who may update a location’s figures and which of them are its managers; where its reminders go; pausing it.');
    var form = el('form', { id: 'location-form', class: 'filters', novalidate: true, 'aria-label': 'Which location' }, [
      people.field('location-id', 'CQC location ID', { name: 'locationId', type: 'text', autocomplete: 'off', spellcheck: 'false', class: 'medium' }, 'For example 1-109570155.'),
      el('div', { class: 'field' }, [el('button', { type: 'submit', class: 'secondary', text: 'Show its members' })]),
    ]);
    var panel = el('div', { id: 'location-panel' });
    node.appendChild(form);
    node.appendChild(panel);
    function show(locationId) {
      form.elements.namedItem('locationId').value = locationId;
      if (!/^1-[0-9]{6,11}$/.test(locationId)) {
        people.showErrors(form, [{ path: 'locationId', message: 'must be a CQC location ID such as 1-109570155' }]);
        return;
      }
      people.showErrors(form, []);
      panel.textContent = '';
      node.say('Loading ' + locationId + '…');
      ct.get('/v1/locations/' + encodeURIComponent(locationId)).then(function (location) {
        var members = el('div', { id: 'members-panel' });
        panel.appendChild(members);
        panel.appendChild(el('p', {}, [el('a', { href: '/team.html?location=' + encodeURIComponent(location.locationId), text: 'The team page of ' + location.name + ', as its managers see it' })]));
        return people.showLocation(members, location, { admin: true, say: node.say });
      }).catch(function (error) {
        var text = error.status === 404 ? 'is not in the directory' : error.message;
        people.showErrors(form, [{ path: error.status === 404 ? 'locationId' : '', message: text }]);
        node.say('Not shown: ' + text);
      });
    }
    form.addEventListener('submit', function (event) { event.preventDefault(); show(form.elements.namedItem('locationId').value.trim()); });
    node.show = function (locationId) { show(locationId); node.scrollIntoView(); };
    return node;
  }
  /** A button that opens a location's members in the section above. */
  function membersButton(locationSectionNode, location) {
    var button = el('button', { type: 'button', class: 'link', 'aria-label': 'Members of ' + location.name, text: 'Members' });
    button.addEventListener('click', function () { locationSectionNode.show(location.locationId); });
    return button;
  }

  // --- registrations --------------------------------------------------------------------------------
  function registrationsSection(locationNode) {
    var node = section('registrations', 'Registration queue', 'Care providers asking to update a location’s figures, oldest first. Approving the first request for a location makes the requester its manager.');
    var queue = el('div');
    node.appendChild(queue);
    node.start = function () {
      // The whole queue (it stays short: at most 5 pending requests a user, one a location), page by page.
      var items = [];
      var stop = people.progress(node, 'Loading the registration queue');
      function next(token) {
        return ct.get('/v1/registrations?status=pending&limit=100' + (token ? '&nextToken=' + encodeURIComponent(token) : '')).then(function (result) {
          items = items.concat(result.items);
          if (result.nextToken) { node.say('Loading the queue… ' + items.length + ' so far'); return next(result.nextToken); }
          return items;
        });
      }
      node.say('Loading the queue…');
      return next(null).then(function () {
        stop();
        people.showRequests(queue, items, {
          id: 'registrations',
          say: node.say,
          locationExtra: function (item) { return membersButton(locationNode, { locationId: item.locationId, name: item.locationName }); },
        });
        node.setAttribute('data-loaded', 'true');
        node.say(items.length === 0 ? 'No requests are waiting.' : ui.plural(items.length, 'request') + ' waiting.');
      }, function (error) { stop(); node.setAttribute('data-loaded', 'true'); node.say(error.message); });
    };
    return node;
  }

  // --- unreachable locations ------------------------------------------------------------------------
  function unreachableSection(locationNode) {
    var node = section('unreachable', 'Locations no one can reach', 'Active locations without an address for reminders, or without anyone who can update them.');
    var form = el('form', { id: 'unreachable-form', class: 'filters', novalidate: true, 'aria-label': 'Which area' }, [
      people.field('unreachable-area', 'Area (optional)', { name: 'area', type: 'text', autocomplete: 'off', spellcheck: 'false', class: 'medium' }, 'A council or region code; empty for all of England.'),
      el('div', { class: 'field' }, [el('button', { type: 'submit', class: 'secondary', text: 'Show' })]),
    ]);
    var result = el('div', { id: 'unreachable-result' });
    node.appendChild(form);
    node.appendChild(result);
    function load() {
      var area = form.elements.namedItem('area').value.trim().toUpperCase();
      if (area && !AREA.test(area)) { people.showErrors(form, [{ path: 'area', message: 'must be an ONS council (E06, E08, E09, E10) or region (E12) code' }]); return; }
      people.showErrors(form, []);
      result.textContent = '';
      var stop = people.progress(node, 'Loading the report');
      node.say('Loading the report…');
      ct.get('/v1/reports/unreachable' + (area ? '?area=' + encodeURIComponent(area) : '')).then(function (report) {
        stop();
        var items = report.items;
        var shown = items.slice(0, UNREACHABLE_ROWS);
        node.setAttribute('data-loaded', 'true');
        if (items.length === 0) { node.say('Every active location can be reached: each has an address for reminders and someone who can update it.'); return; }
        var table = el('table', { id: 'unreachable-table', class: 'list stack' }, [
          el('caption', { text: ui.plural(items.length, 'location') + (items.length > shown.length ? ' (the first ' + shown.length + ' shown: choose an area to narrow it)' : '') }),
          el('thead', {}, [el('tr', {}, ['Location', 'Council', 'Why', 'Members'].map(function (text) { return el('th', { scope: 'col', text: text }); }))]),
          el('tbody', {}, shown.map(function (item) {
            var why = [];
            if (item.noReminderAddress) why.push('No address for reminders');
            if (item.noMember) why.push('No one can update it');
            return el('tr', { 'data-location': item.locationId }, [
              el('th', { scope: 'row', 'data-label': 'Location' }, [item.name, el('span', { class: 'hint', text: item.locationId + ' · provider ' + item.providerId })]),
              cell('Council', [item.localAuthorityName || item.localAuthority]),
              cell('Why', [why.join('; ')]),
              cell('Members', [membersButton(locationNode, item)]),
            ]);
          })),
        ]);
        result.appendChild(el('div', { class: 'table-wrap' }, [table]));
        node.say(ui.plural(items.length, 'unreachable location') + '.');
      }, function (error) {
        stop();
        node.setAttribute('data-loaded', 'true');
        if (people.notBuilt(error)) {
          form.remove();
          result.appendChild(el('p', { class: 'notice', id: 'unreachable-unavailable', text: 'This report is not available yet: the service does not offer it so far.' }));
          node.say('The unreachable report is not available yet.');
          return;
        }
        people.showErrors(form, people.errorsOf(error));
        node.say('Not shown: ' + error.message);
      });
    }
    form.addEventListener('submit', function (event) { event.preventDefault(); load(); });
    node.start = load;
    return node;
  }

  // --- the audit trail ------------------------------------------------------------------------------
  var ACTIONS = {
    'user.invite': 'Invited a user', 'user.change': 'Changed a user', 'member.add': 'Added a member', 'member.change': 'Changed a member',
    'member.put': 'Added or changed a member', 'member.remove': 'Removed a member', 'registration.approve': 'Approved a registration',
    'registration.reject': 'Rejected a registration', 'registration.request': 'Asked to register', 'location.contact': 'Changed the reminder addresses',
    'contact.change': 'Changed a contact', 'provider.contact': 'Changed the provider’s contact', 'location.pause': 'Paused a location', 'location.resume': 'Resumed a location',
  };
  var FIELD_NAMES = { role: 'Role', areas: 'Areas', status: 'Status', manager: 'Manager', email: 'Email', reminderEmails: 'Reminder addresses', phone: 'Phone', reason: 'Reason', until: 'Until', note: 'Note' };
  var IGNORED = { revision: true, createdAt: true, createdBy: true, grantedAt: true, grantedBy: true, userId: true, locationId: true, registrationId: true, requestedAt: true, decidedAt: true, decidedBy: true };
  function valueText(key, value) {
    if (value === null || value === undefined || value === '') return 'none';
    if (key === 'role') return ROLES[value] || value;
    if (key === 'status') return { active: 'Active', disabled: 'Disabled', pending: 'Pending', approved: 'Approved', rejected: 'Rejected' }[value] || value;
    if (value === true) return 'yes';
    if (value === false) return 'no';
    if (Array.isArray(value)) return value.length ? value.join(', ') : 'none';
    if (typeof value === 'object') return JSON.stringify(value);
    return String(value);
  }
  /** Before → after, in words: the fields that changed (or what was made, or what was removed). */
  function changeLines(entry) {
    var before = entry.before && typeof entry.before === 'object' ? entry.before : null;
    var after = entry.after && typeof entry.after === 'object' ? entry.after : null;
    var keys = {};
    [before, after].forEach(function (side) { if (side) Object.keys(side).forEach(function (key) { if (!IGNORED[key]) keys[key] = true; }); });
    return Object.keys(keys).filter(function (key) {
      return JSON.stringify(before ? before[key] : undefined) !== JSON.stringify(after ? after[key] : undefined);
    }).map(function (key) {
      var name = FIELD_NAMES[key] || key;
      if (!before) return name + ': ' + valueText(key, after[key]);
      if (!after) return name + ' was ' + valueText(key, before[key]);
      return name + ': ' + valueText(key, before[key]) + ' → ' + valueText(key, after[key]);
    });
  }
  var locationNames = {};
  /** A location's name, read once per page (the audit names locations by id). */
  function locationName(locationId) {
    if (!locationNames[locationId]) {
      locationNames[locationId] = ct.get('/v1/locations/' + encodeURIComponent(locationId)).then(function (location) { return location.name; }, function () { return locationId; });
    }
    return locationNames[locationId];
  }
  /** What an entry is about, by name: the user's email, the location's name (and the member's email). */
  function subjectCell(entry) {
    var node = cell('About', []);
    var parts = /^([a-z]+)#(.*)$/.exec(entry.subject) || [null, '', entry.subject];
    var side = entry.after || entry.before || {};
    if (parts[1] === 'user') node.textContent = side.email || people.nameOf(parts[2]);
    else if (parts[1] === 'location') {
      var member = side.userId ? ': ' + people.nameOf(side.userId) : '';
      node.textContent = parts[2] + member;
      locationName(parts[2]).then(function (name) { node.textContent = name + member; });
    } else if (parts[1] === 'registration') node.textContent = side.locationName || 'registration ' + parts[2];
    else if (parts[1] === 'provider') node.textContent = 'Provider ' + parts[2];
    else node.textContent = entry.subject;
    return node;
  }

  function auditSection() {
    var node = section('audit', 'Audit trail', 'Every change made to users, members, contacts, pauses and registrations, newest first. Without dates, the last 31 days.');
    var form = el('form', { id: 'audit-form', class: 'filters', novalidate: true, 'aria-label': 'Which changes' }, [
      people.field('audit-from', 'From (optional)', { name: 'from', type: 'date' }),
      people.field('audit-to', 'To (optional)', { name: 'to', type: 'date' }),
      people.field('audit-actor', 'Who (optional)', { name: 'actor', type: 'text', autocomplete: 'off', spellcheck: 'false' }, 'An email address or a user ID.'),
      people.field('audit-location', 'Location (optional)', { name: 'locationId', type: 'text', autocomplete: 'off', spellcheck: 'false', class: 'medium' }, 'A CQC location ID.'),
      el('div', { class: 'field' }, [el('button', { type: 'submit', class: 'secondary', text: 'Show changes' })]),
    ]);
    var result = el('div', { id: 'audit-result' });
    var pager = el('nav', { class: 'pager', 'aria-label': 'Pages of changes' });
    node.appendChild(form);
    node.appendChild(result);
    node.appendChild(pager);
    var state = { params: null, tokens: [null], index: 0 };
    var latest = 0;

    function render(page) {
      result.textContent = '';
      pager.textContent = '';
      if (page.items.length === 0 && state.index === 0) return;
      var table = el('table', { id: 'audit-table', class: 'list stack' }, [
        el('caption', { text: 'Changes' + (state.params.locationId ? ' to location ' + state.params.locationId : '') + (state.params.actor ? ' by ' + people.nameOf(state.params.actor) : '') + ', page ' + (state.index + 1) }),
        el('thead', {}, [el('tr', {}, ['When', 'Who', 'What', 'About', 'Change'].map(function (text) { return el('th', { scope: 'col', text: text }); }))]),
        el('tbody', {}, page.items.map(function (entry) {
          var lines = changeLines(entry);
          return el('tr', {}, [
            el('th', { scope: 'row', 'data-label': 'When', text: ui.when(entry.at) }),
            cell('Who', [people.nameOf(entry.actor)]),
            cell('What', [ACTIONS[entry.action] || entry.action]),
            subjectCell(entry),
            cell('Change', [lines.length ? el('ul', { class: 'changes' }, lines.map(function (line) { return el('li', { text: line }); })) : '']),
          ]);
        })),
      ]);
      result.appendChild(el('div', { class: 'table-wrap' }, [table]));
      var previous = el('button', { type: 'button', class: 'secondary', id: 'audit-previous', text: 'Newer changes', disabled: state.index === 0 });
      var next = el('button', { type: 'button', class: 'secondary', id: 'audit-next', text: 'Older changes', disabled: !page.nextToken });
      previous.addEventListener('click', function () { state.index -= 1; fetchPage(); });
      next.addEventListener('click', function () { state.tokens[state.index + 1] = page.nextToken; state.index += 1; fetchPage(); });
      pager.appendChild(previous);
      pager.appendChild(next);
    }
    function fetchPage() {
      var params = new URLSearchParams(state.params);
      if (state.tokens[state.index]) params.set('nextToken', state.tokens[state.index]);
      var request = ++latest;
      var stop = people.progress(node, 'Loading changes');
      node.say('Loading changes…');
      ct.get('/v1/audit?' + params.toString()).then(function (page) {
        stop();
        if (request !== latest) return;
        node.setAttribute('data-loaded', 'true');
        render(page);
        node.say(page.items.length === 0 ? 'No changes in these days.' : ui.plural(page.items.length, 'change') + ' on this page.');
      }, function (error) {
        stop();
        if (request !== latest) return;
        node.setAttribute('data-loaded', 'true');
        if (error.status === 404) {
          // GET /v1/audit has no path parameters: a 404 is the API without the route.
          form.remove();
          result.textContent = '';
          result.appendChild(el('p', { class: 'notice', id: 'audit-unavailable', text: 'The audit trail is not available yet: the service does not offer it so far.' }));
          node.say('The audit trail is not available yet.');
          return;
        }
        people.showErrors(form, people.errorsOf(error));
        node.say('Not shown: ' + error.message);
      });
    }
    function load() {
      var values = {};
      ['from', 'to', 'actor', 'locationId'].forEach(function (name) { values[name] = form.elements.namedItem(name).value.trim(); });
      var errors = [];
      if (values.locationId && !/^1-[0-9]{6,11}$/.test(values.locationId)) errors.push({ path: 'locationId', message: 'must be a CQC location ID such as 1-109570155' });
      people.showErrors(form, errors);
      if (errors.length) return;
      // An email: the user's id (the trail records ids).
      var actor = values.actor && people.EMAIL.test(values.actor) ? people.userByEmail(values.actor) : Promise.resolve(values.actor ? { userId: values.actor } : null);
      actor.then(function (user) {
        if (values.actor && !user) { people.showErrors(form, [{ path: 'actor', message: 'is not a user' }]); return; }
        state.params = { limit: String(AUDIT_PAGE) };
        if (values.from) state.params.from = values.from;
        if (values.to) state.params.to = values.to;
        if (user) state.params.actor = user.userId;
        if (values.locationId) state.params.locationId = values.locationId;
        state.tokens = [null];
        state.index = 0;
        fetchPage();
      }, function (error) { node.say(error.message); });
    }
    form.addEventListener('submit', function (event) { event.preventDefault(); load(); });
    node.start = load;
    return node;
  }

  // --- the page -------------------------------------------------------------------------------------
  function show() {
    page.textContent = '';
    page.appendChild(el('h1', { text: 'Administration' }));
    var parts = [usersSection()];
    var locationNode = locationSection();
    parts.push(locationNode, registrationsSection(locationNode), unreachableSection(locationNode), auditSection());
    page.appendChild(el('nav', { class: 'contents', 'aria-label': 'Sections of this page' }, [el('ul', {}, parts.map(function (part) {
      return el('li', {}, [el('a', { href: '#' + part.id, text: part.querySelector('h2').textContent })]);
    }))]));
    parts.forEach(function (part) { page.appendChild(part); });
    // Only an admin may list users: anyone else is told so, once, instead of five refusals.
    say('Loading…');
    people.usersPage({ limit: 1 }).then(function () {
      say('Signed in as an administrator.');
      parts.forEach(function (part) { if (part.start) part.start(); });
      var asked = new URLSearchParams(window.location.search).get('location');
      if (asked) locationNode.show(asked.trim());
    }, function (error) {
      page.textContent = '';
      page.appendChild(el('h1', { text: 'Administration' }));
      var text = error.status === 403 ? 'Only an administrator can use this page.' : error.message;
      people.tell(page.appendChild(el('div')), 'problem', 'This page cannot be shown', [text, el('p', {}, [el('a', { href: '/', text: 'Go to your locations' })])]);
      say(text);
    });
  }

  people.signIn(page, say, ['admin'], show);
})();
