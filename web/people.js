// What the admin area (admin.js) and a manager's team page (team.js) share: signing in, the server's
// problem+json errors beside the fields and in a summary, progress for slow reads, and a location's people
// (its members and managers: DESIGN §10.1), which an admin and the location's managers both look after.
// Loaded after session.js and ui.js.
(function () {
  var ct = window.CapacityTracker;
  var ui = ct.ui;
  var el = ui.el;

  var ROLES = { provider: 'Care provider', discharge: 'Discharge team', commissioner: 'Commissioner', national: 'National team', admin: 'Administrator' };
  var EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

  /** A route the API does not have yet (answered by its catch-all): the page says so instead of failing. */
  function notBuilt(error) {
    return error.status === 404 && /There is no .* in this API/.test(error.message || '');
  }

  /** An indeterminate <progress> with a name, for reads that may take over a second; returns a remover. */
  function progress(container, label) {
    var bar = el('progress', { 'aria-label': label, class: 'loading' });
    container.appendChild(bar);
    return function () { bar.remove(); };
  }

  /**
   * The API's errors[] beside the fields of `form` (by name: `areas.1` lands on `areas`, `query.from` on
   * `from`) and in a summary above it, whose links move to the field; errors without a field (a 409) are
   * listed in the summary alone. An empty list clears them.
   */
  function showErrors(form, errors) {
    form.querySelectorAll('.error').forEach(function (node) { node.textContent = ''; });
    form.querySelectorAll('[aria-invalid]').forEach(function (node) { node.removeAttribute('aria-invalid'); });
    var summaryId = form.id + '-errors';
    var old = document.getElementById(summaryId);
    if (old) old.remove();
    if (errors.length === 0) return;
    var summary = el('div', { id: summaryId, class: 'problem', role: 'alert', tabindex: '-1' }, [el('h2', { text: 'There is a problem' })]);
    var list = el('ul');
    errors.forEach(function (error) {
      var path = (error.path || '').replace(/^(body|query|path)\./, '');
      var input = path ? form.elements.namedItem(path) || form.elements.namedItem(path.split('.')[0]) : null;
      if (input && !input.id && input.length) input = input[0];
      if (!input || !input.id) {
        list.appendChild(el('li', { text: error.message }));
        return;
      }
      var slot = document.getElementById(input.id + '-error');
      if (slot) slot.textContent = (slot.textContent ? slot.textContent + ' ' : '') + error.message;
      input.setAttribute('aria-invalid', 'true');
      var label = document.querySelector('label[for="' + input.id + '"]');
      var name = label ? label.textContent.replace(/ \(optional\)$/, '') : path;
      var link = el('a', { href: '#' + input.id, text: name + ': ' + error.message });
      link.addEventListener('click', function (event) { event.preventDefault(); input.focus(); });
      list.appendChild(el('li', {}, [link]));
    });
    summary.appendChild(list);
    form.parentNode.insertBefore(summary, form);
    summary.focus();
  }

  /** The errors of a refused request: the API's, with an item's value named (`areas.1` → “E1” …), or its detail. */
  function errorsOf(error, values) {
    var problem = error.problem || {};
    if (!problem.errors || problem.errors.length === 0) return [{ path: '', message: error.message }];
    return problem.errors.map(function (item) {
      var index = /\.(\d+)$/.exec(item.path || '');
      var list = index && values ? values[item.path.replace(/^(body|query)\./, '').split('.')[0]] : null;
      return { path: item.path, message: list && list[Number(index[1])] !== undefined ? '“' + list[Number(index[1])] + '” ' + item.message : item.message };
    });
  }

  /** A labelled input with its hint and its error slot: `options` are the input's attributes. */
  function field(id, label, options, hint) {
    var input = el(options.tag || 'input', Object.assign({ id: id, 'aria-describedby': (hint ? id + '-hint ' : '') + id + '-error' }, options, { tag: undefined }));
    return el('div', { class: 'field', id: id + '-field' }, [
      el('label', { for: id, text: label }),
      hint ? el('span', { class: 'hint', id: id + '-hint', text: hint }) : null,
      el('span', { class: 'error', id: id + '-error' }),
      input,
    ]);
  }

  /** A box that says something went well, or did not, in place of the last one in `slot`. */
  function tell(slot, kind, heading, lines) {
    slot.textContent = '';
    var box = el('div', { class: kind === 'done' ? 'done' : 'problem', role: 'alert', tabindex: '-1' }, [el('h2', { text: heading })].concat((lines || []).map(function (line) {
      return typeof line === 'string' ? el('p', { text: line }) : line;
    })));
    slot.appendChild(box);
    return box;
  }

  // --- signing in ---------------------------------------------------------------------------------
  /**
   * Signed in already: `then()`. The deployed site: Cognito's sign-in page, which comes back here. The
   * local stack: its demo users of `roles` (invited users too: the local issuer signs for them at once).
   */
  function signIn(page, say, roles, then) {
    if (ct.token()) { then(); return; }
    page.textContent = '';
    page.appendChild(el('h1', { text: 'Sign in' }));
    if (ct.signInMode === 'account') {
      say('Sign in with your Capacity Tracker account to continue.');
      page.appendChild(el('p', { text: 'Your administrator creates your account. The first time, use the temporary password from your invitation email: you will then choose your own.' }));
      var button = el('button', { type: 'button', text: 'Sign in' });
      button.addEventListener('click', function () { ct.signIn().catch(function (error) { say(error.message); }); });
      page.appendChild(button);
      return;
    }
    fetch(ct.api + '/local/users').then(function (response) {
      if (!response.ok) throw new Error('no demo sign-in here');
      return response.json();
    }).then(function (users) {
      say('Choose a demo user (the local stack signs you in without a password).');
      var list = el('ul');
      users.filter(function (user) { return roles.indexOf(user.role) >= 0; }).forEach(function (user) {
        var choose = el('button', { type: 'button', text: (user.email || user.id) + ' (' + ROLES[user.role] + ')' });
        choose.addEventListener('click', function () {
          ct.demoSignIn(user.id).then(function () {
            var who = document.getElementById('signed-in');
            if (who) who.textContent = 'Signed in as ' + (user.email || user.id) + ' (demo)';
            then();
          }, function (error) { say(error.message); });
        });
        list.appendChild(el('li', {}, [choose]));
      });
      page.appendChild(list);
    }).catch(function () { say('Sign in through your organisation to continue.'); });
  }

  // --- users, read a page at a time ---------------------------------------------------------------
  /** Every user seen so far, by id and by email: the pages name people by email wherever they can. */
  var known = { byId: {}, byEmail: {} };
  function remember(user) {
    known.byId[user.userId] = user;
    known.byEmail[user.email] = user;
    return user;
  }
  function nameOf(userId) { return known.byId[userId] ? known.byId[userId].email : userId; }

  /** One page of GET /v1/users (admin only), remembered. */
  function usersPage(query) {
    var params = new URLSearchParams({ limit: String(query.limit || 100) });
    if (query.role) params.set('role', query.role);
    if (query.nextToken) params.set('nextToken', query.nextToken);
    return ct.get('/v1/users?' + params.toString()).then(function (page) {
      page.items.forEach(remember);
      return page;
    });
  }

  /**
   * The users whose email starts with `prefix` (of `role`, if given). The API lists users by email, so
   * pages are read only until they pass the prefix; `onPage(readSoFar)` after each page.
   */
  function findUsers(prefix, role, onPage) {
    prefix = prefix.trim().toLowerCase();
    var found = [];
    var read = 0;
    function next(token) {
      return usersPage({ role: role, nextToken: token, limit: 100 }).then(function (page) {
        read += page.items.length;
        page.items.forEach(function (user) { if (user.email.indexOf(prefix) === 0) found.push(user); });
        if (onPage) onPage(read);
        var last = page.items[page.items.length - 1];
        if (!page.nextToken || (last && last.email > prefix && last.email.indexOf(prefix) !== 0)) return found;
        return next(page.nextToken);
      });
    }
    return next(null);
  }

  /** The user with this email, or null (from what was seen already, else read from the API). */
  function userByEmail(email, role) {
    email = email.trim().toLowerCase();
    if (known.byEmail[email] && (!role || known.byEmail[email].role === role)) return Promise.resolve(known.byEmail[email]);
    return findUsers(email, role).then(function (users) {
      return users.filter(function (user) { return user.email === email; })[0] || null;
    });
  }

  // --- a location's people ------------------------------------------------------------------------
  /**
   * A location's members and managers in `container`: the list (managers first), make or stop being a
   * manager, remove (after a second click), and add someone. `options.admin`: the caller is an admin,
   * who may add a provider user by email (looked up in the users list) or user id; a manager cannot list
   * users, so adds a colleague by the user id their administrator gives them (see team.js).
   * `options.say`: the page's progress line. Resolves once the list is shown (or refused).
   */
  function showMembers(container, location, options) {
    var say = options.say;
    var locationId = location.locationId;
    var base = '/v1/locations/' + encodeURIComponent(locationId) + '/members';
    var who = options.admin ? 'Members' : 'Your team';
    var members = [];
    var confirming = null; // the member whose removal waits for a second click
    container.textContent = '';
    // The team page: the page's second level; the admin area: inside its section.
    var level = options.admin ? 3 : 2;
    var heading = el('h' + level, { id: 'members-title', text: who + ' at ' + location.name });
    var message = el('div', { id: 'members-message' });
    var table = el('table', { id: 'members', class: 'list stack' });
    var form = el('form', { id: 'member-form', novalidate: true, 'aria-labelledby': 'member-form-title' });
    container.appendChild(heading);
    container.appendChild(el('p', { class: 'muted', text: 'CQC location ' + locationId + '. Managers can add and remove colleagues here; a change holds from the person’s next request.' }));
    container.appendChild(message);
    container.appendChild(el('div', { class: 'table-wrap' }, [table]));
    container.appendChild(form);

    function label(member) { return member.email || member.userId; }
    function managers() { return members.filter(function (member) { return member.manager; }).length; }
    /** Who added someone: a member's email (a manager cannot look other users up), else what the users list says. */
    function adder(userId) {
      var member = members.filter(function (other) { return other.userId === userId; })[0];
      return member && member.email ? member.email : nameOf(userId);
    }

    function render() {
      table.textContent = '';
      table.appendChild(el('caption', { text: members.length === 0 ? 'No members yet' : ui.plural(members.length, 'member') + ', ' + ui.plural(managers(), 'manager') }));
      table.appendChild(el('thead', {}, [el('tr', {}, ['Person', 'Manager', 'Added', 'Change'].map(function (text) { return el('th', { scope: 'col', text: text }); }))]));
      var body = el('tbody');
      members.forEach(function (member) {
        var actions = el('div', { class: 'actions' });
        if (confirming === member.userId) {
          actions.appendChild(el('span', { text: 'Remove ' + label(member) + ' from ' + location.name + '?' }));
          var yes = el('button', { type: 'button', class: 'warning', 'data-action': 'confirm-remove', text: 'Yes, remove' });
          var keep = el('button', { type: 'button', class: 'secondary', 'data-action': 'keep', text: 'Keep' });
          yes.addEventListener('click', function () { remove(member); });
          keep.addEventListener('click', function () { confirming = null; render(); focusRow(member, 'remove'); });
          actions.appendChild(yes);
          actions.appendChild(keep);
        } else {
          var toggle = el('button', { type: 'button', class: 'secondary', 'data-action': 'manager', 'aria-label': (member.manager ? 'Stop being a manager: ' : 'Make a manager: ') + label(member), text: member.manager ? 'Stop being a manager' : 'Make a manager' });
          var drop = el('button', { type: 'button', class: 'secondary', 'data-action': 'remove', 'aria-label': 'Remove ' + label(member), text: 'Remove' });
          toggle.addEventListener('click', function () { setManager(member, !member.manager); });
          drop.addEventListener('click', function () { confirming = member.userId; render(); focusRow(member, 'confirm-remove'); });
          actions.appendChild(toggle);
          actions.appendChild(drop);
        }
        body.appendChild(el('tr', { 'data-user': member.userId }, [
          el('th', { scope: 'row', 'data-label': 'Person' }, [member.email ? member.email : el('span', {}, [document.createTextNode(member.userId + ' '), el('span', { class: 'muted', text: '(no email on record)' })])]),
          el('td', { 'data-label': 'Manager', class: 'manager', text: member.manager ? 'Manager' : 'Member' }),
          el('td', { 'data-label': 'Added', text: ui.when(member.grantedAt) + ' by ' + adder(member.grantedBy) }),
          el('td', { 'data-label': 'Change' }, [actions]),
        ]));
      });
      table.appendChild(body);
    }
    function focusRow(member, action) {
      var button = table.querySelector('tr[data-user="' + member.userId + '"] button[data-action="' + action + '"]');
      if (button) button.focus();
    }

    /** A refusal, in words that name the person and the home (the API's 409 names ids). */
    function refused(error, member) {
      if (error.status === 409 && /last manager/.test(error.message)) {
        return label(member) + ' is the last manager of ' + location.name + '. Make someone else a manager first: a home always keeps at least one manager.';
      }
      if (error.status === 403) return 'Only an administrator or a manager of ' + location.name + ' can change its team.';
      return error.message;
    }

    function setManager(member, manager) {
      message.textContent = '';
      say(manager ? 'Making ' + label(member) + ' a manager…' : 'Changing ' + label(member) + ' to a member…');
      ct.request('PUT', base + '/' + encodeURIComponent(member.userId), { manager: manager }).then(function (result) {
        members = members.map(function (other) { return other.userId === member.userId ? result.body : other; });
        sort();
        render();
        say(manager ? label(member) + ' is now a manager of ' + location.name + '.' : label(member) + ' is now a member of ' + location.name + ', not a manager.');
        focusRow(member, 'manager');
      }, function (error) {
        tell(message, 'problem', 'There is a problem', [refused(error, member)]).focus();
        say('Not changed.');
      });
    }

    function remove(member) {
      message.textContent = '';
      say('Removing ' + label(member) + '…');
      ct.request('DELETE', base + '/' + encodeURIComponent(member.userId)).then(function () {
        confirming = null;
        members = members.filter(function (other) { return other.userId !== member.userId; });
        render();
        tell(message, 'done', label(member) + ' was removed', [label(member) + ' can no longer update ' + location.name + ', from their next request.']).focus();
        say(label(member) + ' was removed from ' + location.name + '.');
      }, function (error) {
        confirming = null;
        render();
        tell(message, 'problem', 'There is a problem', [refused(error, member)]).focus();
        say('Not removed.');
      });
    }

    function sort() {
      members.sort(function (a, b) { return Number(b.manager) - Number(a.manager) || label(a).localeCompare(label(b), 'en-GB'); });
    }

    // The add form. An admin: an email (suggested from the provider users) or a user id. A manager: the
    // user id only (nobody but an admin may list users; the admin gives it to them with the invitation).
    var personHint = options.admin
      ? 'The email address of a care provider user (invite them first, under Users), or their user ID.'
      : 'Your administrator invites your colleague, then gives you their user ID (you cannot look people up by email here). Or, once invited, they ask on the page “Ask to update a home” and their request shows below.';
    var suggestions = options.admin ? el('datalist', { id: 'provider-emails' }) : null;
    form.appendChild(el('h' + (level + 1), { id: 'member-form-title', text: options.admin ? 'Add a member' : 'Add a colleague' }));
    form.appendChild(field('member-person', options.admin ? 'Email or user ID' : 'Colleague’s user ID', { name: 'person', type: 'text', autocomplete: 'off', spellcheck: 'false', list: suggestions ? 'provider-emails' : undefined }, personHint));
    if (suggestions) form.appendChild(suggestions);
    form.appendChild(el('div', { class: 'field' }, [el('label', {}, [el('input', { type: 'checkbox', name: 'manager', id: 'member-manager' }), document.createTextNode(' Make them a manager too')])]));
    form.appendChild(el('button', { type: 'submit', text: options.admin ? 'Add the member' : 'Add the colleague' }));

    /** The user id to add: as typed, or an admin's email looked up among the provider users. */
    function resolve(person) {
      if (!EMAIL.test(person)) return Promise.resolve({ userId: person, email: null });
      if (!options.admin) return Promise.reject({ path: 'person', message: 'enter the user ID your administrator gave you, not an email address' });
      return userByEmail(person).then(function (user) {
        if (!user) throw { path: 'person', message: 'is not a user yet: invite them first (Users)' };
        if (user.role !== 'provider') throw { path: 'person', message: 'belongs to a ' + ROLES[user.role].toLowerCase() + ' user: only care provider users can be members of a location' };
        return user;
      });
    }

    form.addEventListener('submit', function (event) {
      event.preventDefault();
      message.textContent = '';
      var person = form.elements.namedItem('person').value.trim();
      var manager = form.elements.namedItem('manager').checked;
      if (!person) { showErrors(form, [{ path: 'person', message: options.admin ? 'enter an email address or a user ID' : 'enter the user ID of your colleague' }]); return; }
      showErrors(form, []);
      say('Adding ' + person + '…');
      resolve(person).then(function (user) {
        return ct.request('PUT', base + '/' + encodeURIComponent(user.userId), { manager: manager }).then(function (result) {
          var added = result.body;
          members = members.filter(function (other) { return other.userId !== added.userId; }).concat([added]);
          sort();
          render();
          form.reset();
          var text = label(added) + (result.status === 201 ? ' was added to ' : ' was already in ') + location.name + (added.manager ? ' as a manager.' : ' as a member.');
          tell(message, 'done', result.status === 201 ? 'Added' : 'Already a member', [text]).focus();
          say(text);
        });
      }).catch(function (error) {
        if (error.path) { showErrors(form, [error]); say('Not added: ' + error.message); return; }
        var errors;
        if (error.status === 404 && /invite them first/.test(error.message)) errors = [{ path: 'person', message: options.admin ? 'is not a user: invite them first (Users)' : 'is not a user: ask your administrator to invite your colleague, then give you their user ID' }];
        else if (error.status === 409 && /only provider users/.test(error.message)) errors = [{ path: 'person', message: 'is not a care provider user: only they can be members of a location' }];
        else if (error.status === 403) errors = [{ path: '', message: 'Only an administrator or a manager of ' + location.name + ' can add people to it.' }];
        else errors = errorsOf(error).map(function (item) { return { path: /userId/.test(item.path) ? 'person' : item.path, message: item.message }; });
        showErrors(form, errors);
        say('Not added: ' + errors[0].message);
      });
    });

    say('Loading the members of ' + location.name + '…');
    return ct.get(base).then(function (listing) {
      members = listing.items;
      sort();
      render();
      say(ui.plural(members.length, 'member') + ' at ' + location.name + '.');
      if (suggestions) {
        // Suggestions for the email box: the provider users, a page at a time in the background (at most 20).
        var pages = 0;
        var fill = function (token) {
          usersPage({ role: 'provider', nextToken: token, limit: 100 }).then(function (page) {
            page.items.forEach(function (user) { suggestions.appendChild(el('option', { value: user.email })); });
            pages += 1;
            if (page.nextToken && pages < 20) fill(page.nextToken);
          }, function () {});
        };
        fill(null);
      }
      return true;
    }, function (error) {
      container.querySelectorAll('table, form, .table-wrap').forEach(function (node) { node.remove(); });
      var text = error.status === 403
        ? 'Only a manager of ' + location.name + ' (or an administrator) can see and change its team. Ask one of its managers, or your administrator.'
        : error.message;
      tell(message, 'problem', 'The team cannot be shown', [text]);
      say(text);
      return false;
    });
  }

  // --- where a location's reminders go, and pausing it ---------------------------------------------
  /**
   * The 1–5 addresses a location's reminders go to, and its phone number (GET and PUT .../contact), in
   * `container`, with `level` its heading level. Says "not available yet" where the API has no such route.
   */
  function showContact(container, location, options) {
    var say = options.say;
    var level = options.admin ? 3 : 2;
    var path = '/v1/locations/' + encodeURIComponent(location.locationId) + '/contact';
    container.textContent = '';
    container.appendChild(el('h' + level, { id: 'contact-title', text: 'Where reminders go' }));
    var message = el('div', { id: 'contact-message' });
    container.appendChild(message);
    return ct.get(path).then(function (contact) {
      var form = el('form', { id: 'contact-form', novalidate: true, 'aria-labelledby': 'contact-title' }, [
        field('contact-emails', 'Reminder addresses', { tag: 'textarea', name: 'reminderEmails', rows: '3', spellcheck: 'false', text: contact.reminderEmails.join('\n') },
          'One to five email addresses, one a line. Reminders for ' + location.name + ' go to each of them.'),
        field('contact-phone', 'Phone (optional)', { name: 'phone', type: 'tel', autocomplete: 'off', value: contact.phone || '', class: 'medium' }),
        el('button', { type: 'submit', text: 'Save the addresses' }),
      ]);
      if (contact.reminderEmails.length === 0) container.appendChild(el('p', { class: 'notice', id: 'contact-none', text: 'No address yet: no reminder reaches ' + location.name + '.' }));
      container.appendChild(form);
      form.addEventListener('submit', function (event) {
        event.preventDefault();
        message.textContent = '';
        var emails = form.elements.namedItem('reminderEmails').value.split(/[\s,;]+/).filter(Boolean);
        var phone = form.elements.namedItem('phone').value.trim();
        var body = { reminderEmails: emails };
        if (phone) body.phone = phone;
        var errors = emails.length === 0 ? [{ path: 'reminderEmails', message: 'give at least one address' }] : [];
        showErrors(form, errors);
        if (errors.length) return;
        say('Saving where reminders go…');
        ct.request('PUT', path, body).then(function (result) {
          var none = document.getElementById('contact-none');
          if (none) none.remove();
          form.elements.namedItem('reminderEmails').value = result.body.reminderEmails.join('\n');
          var text = 'Reminders for ' + location.name + ' now go to ' + result.body.reminderEmails.join(', ') + '.';
          tell(message, 'done', 'Addresses saved', [text]).focus();
          say(text);
        }, function (error) {
          var found = errorsOf(error, { reminderEmails: emails });
          showErrors(form, found);
          say('Not saved: ' + found[0].message);
        });
      });
      return true;
    }, function (error) {
      var text = notBuilt(error) ? 'Setting where reminders go is not available yet: the service does not offer it so far.' : error.message;
      container.appendChild(el('p', { class: 'notice', id: 'contact-unavailable', text: text }));
      return false;
    });
  }

  /**
   * The provider's nominated contact (GET and PUT /v1/providers/{id}/contact; admins only): who hears of a
   * location no reminder reaches, and the provider's escalations.
   */
  function showProviderContact(container, location, options) {
    var say = options.say;
    var path = '/v1/providers/' + encodeURIComponent(location.providerId) + '/contact';
    container.textContent = '';
    container.appendChild(el('h3', { id: 'provider-contact-title', text: 'The provider’s nominated contact' }));
    container.appendChild(el('p', { class: 'muted', text: 'CQC provider ' + location.providerId + ', for all its locations: told when a location has no reminder address, and of escalations.' }));
    var message = el('div', { id: 'provider-contact-message' });
    container.appendChild(message);
    return ct.get(path).then(function (contact) {
      var form = el('form', { id: 'provider-contact-form', novalidate: true, 'aria-labelledby': 'provider-contact-title' }, [
        field('provider-contact-email', 'Email address', { name: 'email', type: 'email', autocomplete: 'off', spellcheck: 'false', value: contact.email || '' },
          contact.email ? null : 'None yet: nobody hears of this provider’s locations that no reminder reaches.'),
        el('button', { type: 'submit', text: 'Save the contact' }),
      ]);
      container.appendChild(form);
      form.addEventListener('submit', function (event) {
        event.preventDefault();
        message.textContent = '';
        var email = form.elements.namedItem('email').value.trim();
        var errors = email ? [] : [{ path: 'email', message: 'give an email address' }];
        showErrors(form, errors);
        if (errors.length) return;
        say('Saving the provider’s contact…');
        ct.request('PUT', path, { email: email }).then(function (result) {
          form.elements.namedItem('email').value = result.body.email;
          var text = 'The nominated contact of provider ' + location.providerId + ' is now ' + result.body.email + '.';
          tell(message, 'done', 'Contact saved', [text]).focus();
          say(text);
        }, function (error) {
          var found = errorsOf(error);
          showErrors(form, found);
          say('Not saved: ' + found[0].message);
        });
      });
    }, function (error) {
      container.appendChild(el('p', { class: 'notice', id: 'provider-contact-unavailable', text: notBuilt(error) ? 'Not available yet: the service does not offer it so far.' : error.message }));
    });
  }

  /** Pause a location (no reminders, not expected in completeness) with a reason and perhaps an end day, or resume it. */
  function showPause(container, location, options) {
    var say = options.say;
    var level = options.admin ? 3 : 2;
    var base = '/v1/locations/' + encodeURIComponent(location.locationId);
    var message = el('div', { id: 'pause-message' });
    var body = el('div');
    container.textContent = '';
    container.appendChild(el('h' + level, { id: 'pause-title', text: 'Pausing reminders' }));
    container.appendChild(message);
    container.appendChild(body);

    function render(pause) {
      body.textContent = '';
      if (pause) {
        body.appendChild(el('p', { id: 'pause-state', class: 'notice', text: location.name + ' is paused since ' + ui.when(pause.since) + ' (' + pause.reason + '): no reminders, and it is not expected to update. ' +
          (pause.until ? 'It resumes by itself on ' + ui.dayName(pause.until) + ' (' + pause.until + ').' : 'It stays paused until someone resumes it.') }));
        var resume = el('button', { type: 'button', id: 'resume', text: 'Resume ' + location.name });
        resume.addEventListener('click', function () {
          message.textContent = '';
          say('Resuming ' + location.name + '…');
          ct.request('POST', base + '/resume').then(function () {
            render(null);
            tell(message, 'done', location.name + ' is resumed', ['Reminders start again, and it is expected to update every day.']).focus();
            say(location.name + ' is resumed.');
          }, function (error) {
            tell(message, 'problem', 'There is a problem', [notBuilt(error) ? 'Resuming is not available yet.' : error.message]).focus();
            say('Not resumed.');
          });
        });
        body.appendChild(resume);
        return;
      }
      body.appendChild(el('p', { text: 'Closed for refurbishment, say? While ' + location.name + ' is paused it gets no reminders and is not expected to update.' }));
      var form = el('form', { id: 'pause-form', novalidate: true, 'aria-labelledby': 'pause-title' }, [
        field('pause-reason', 'Why', { name: 'reason', type: 'text', maxlength: '200', autocomplete: 'off' }, 'In a few words, for example “closed for refurbishment”.'),
        field('pause-until', 'Resume by itself on (optional)', { name: 'until', type: 'date', min: ui.addDays(ui.londonToday(), 1) }, 'Leave it empty to resume by hand.'),
        el('button', { type: 'submit', class: 'warning', text: 'Pause ' + location.name }),
      ]);
      form.addEventListener('submit', function (event) {
        event.preventDefault();
        message.textContent = '';
        var request = { reason: form.elements.namedItem('reason').value.trim() };
        var until = form.elements.namedItem('until').value;
        if (until) request.until = until;
        var errors = request.reason ? [] : [{ path: 'reason', message: 'say why, in a few words' }];
        showErrors(form, errors);
        if (errors.length) return;
        say('Pausing ' + location.name + '…');
        ct.request('POST', base + '/pause', request).then(function (result) {
          render(result.body);
          tell(message, 'done', location.name + ' is paused', ['No reminders until it resumes.']).focus();
          say(location.name + ' is paused.');
        }, function (error) {
          var found = notBuilt(error) ? [{ path: '', message: 'Pausing is not available yet: the service does not offer it so far.' }] : errorsOf(error);
          showErrors(form, found);
          say('Not paused: ' + found[0].message);
        });
      });
      body.appendChild(form);
    }
    render(location.pause || null);
  }

  // --- requests to act for a location -------------------------------------------------------------
  /**
   * Pending registrations with Approve and Reject (and an optional note), in place of what `container`
   * held: the admin's queue and a manager's team page. `options.id` names the table and its message
   * (`<id>-table`, `<id>-message`); `options.locationExtra(item)` adds to a row's location cell.
   */
  function showRequests(container, items, options) {
    container.textContent = '';
    var message = el('div', { id: options.id + '-message' });
    var table = el('table', { id: options.id + '-table', class: 'list stack' });
    container.appendChild(message);
    container.appendChild(el('div', { class: 'table-wrap' }, [table]));
    function cell(labelText, children, attributes) { return el('td', Object.assign({ 'data-label': labelText }, attributes || {}), children); }
    function requester(item) { return item.email || nameOf(item.userId); }
    var waiting = items.length;
    function caption() { return waiting === 0 ? 'No requests waiting' : ui.plural(waiting, 'request') + ' waiting'; }
    table.hidden = items.length === 0;
    table.appendChild(el('caption', { text: caption() }));
    table.appendChild(el('thead', {}, [el('tr', {}, ['Location', 'Requested by', 'Asked', 'Decision'].map(function (text) { return el('th', { scope: 'col', text: text }); }))]));
    table.appendChild(el('tbody', {}, items.map(function (item) {
      var noteId = options.id + '-note-' + item.registrationId;
      var note = el('input', { id: noteId, name: 'note', type: 'text', maxlength: '500', autocomplete: 'off' });
      var approve = el('button', { type: 'button', 'data-action': 'approve', 'aria-label': 'Approve ' + requester(item) + ' for ' + item.locationName, text: 'Approve' });
      var reject = el('button', { type: 'button', class: 'warning', 'data-action': 'reject', 'aria-label': 'Reject ' + requester(item) + ' for ' + item.locationName, text: 'Reject' });
      var decision = cell('Decision', [
        el('div', { class: 'field' }, [el('label', { for: noteId, text: 'Note (optional)' }), note]),
        el('div', { class: 'actions' }, [approve, reject]),
      ], { class: 'decision' });
      function decide(what) {
        message.textContent = '';
        approve.disabled = true;
        reject.disabled = true;
        var body = note.value.trim() ? { note: note.value.trim() } : {};
        options.say((what === 'approve' ? 'Approving ' : 'Rejecting ') + requester(item) + ' for ' + item.locationName + '…');
        ct.request('POST', '/v1/registrations/' + encodeURIComponent(item.registrationId) + '/' + what, body).then(function (result) {
          var done = result.body;
          decision.textContent = '';
          var text = done.status === 'approved' ? 'Approved: ' + requester(item) + ' may now update ' + item.locationName + '.' : 'Rejected.';
          waiting -= 1;
          table.querySelector('caption').textContent = caption();
          decision.appendChild(el('p', { class: 'decided', text: text + (done.note ? ' Note: “' + done.note + '”' : '') }));
          options.say(text);
          if (options.decided) options.decided(done);
        }, function (error) {
          approve.disabled = false;
          reject.disabled = false;
          tell(message, 'problem', 'There is a problem', [item.locationName + ': ' + error.message]).focus();
          options.say('Not decided.');
        });
      }
      approve.addEventListener('click', function () { decide('approve'); });
      reject.addEventListener('click', function () { decide('reject'); });
      var extra = options.locationExtra ? options.locationExtra(item) : null;
      return el('tr', { 'data-registration': item.registrationId }, [
        el('th', { scope: 'row', 'data-label': 'Location' }, [item.locationName, el('span', { class: 'hint' }, [document.createTextNode(item.locationId + (extra ? ' ' : '')), extra])]),
        cell('Requested by', [requester(item)], { class: 'requester' }),
        cell('Asked', [ui.when(item.requestedAt)]),
        decision,
      ]);
    })));
  }

  /** A location's members, then (for those who may change them) where its reminders go and its pause. */
  function showLocation(container, location, options) {
    var members = el('section', { id: 'members-part', 'aria-labelledby': 'members-title' });
    container.appendChild(members);
    return showMembers(members, location, options).then(function (allowed) {
      if (!allowed) return false;
      var contact = el('section', { id: 'contact', class: 'part', 'aria-labelledby': 'contact-title' });
      var pause = el('section', { id: 'pause', class: 'part', 'aria-labelledby': 'pause-title' });
      container.appendChild(contact);
      container.appendChild(pause);
      showPause(pause, location, options);
      if (options.admin) {
        var provider = el('section', { id: 'provider-contact', class: 'part', 'aria-labelledby': 'provider-contact-title' });
        container.appendChild(provider);
        showProviderContact(provider, location, options);
      }
      return showContact(contact, location, options);
    });
  }

  ct.people = {
    ROLES: ROLES,
    EMAIL: EMAIL,
    notBuilt: notBuilt,
    progress: progress,
    showErrors: showErrors,
    errorsOf: errorsOf,
    field: field,
    tell: tell,
    signIn: signIn,
    remember: remember,
    nameOf: nameOf,
    usersPage: usersPage,
    findUsers: findUsers,
    userByEmail: userByEmail,
    showMembers: showMembers,
    showLocation: showLocation,
    showRequests: showRequests,
  };
})();
