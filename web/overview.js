// The provider's overview (DESIGN §10.2): every location of the caller, however many (the API's pages are
// read one after another, with progress), how fresh each is, "nothing has changed" for the selected ones in
// one action, and the spreadsheet route for many at once: download the template, upload it filled in, and
// see each row's problems beside the row. Shown by provider.js when no location is asked for.
(function () {
  var ct = window.CapacityTracker;
  var ui = ct.ui;
  var el = ui.el;
  /** Rows of the table per screen; the API is read 100 locations a request (its largest page). */
  var PAGE_SIZE = 50;
  var API_PAGE = 100;
  /** Confirms sent at once: quick for a few hundred locations without crowding the service. */
  var CONFIRMS_AT_ONCE = 4;

  /** The cells of a CSV (RFC 4180: quoted cells may hold commas, quotes and line breaks; CRLF or LF; a BOM). */
  function parseCsv(text) {
    var records = [];
    var record = [];
    var cell = '';
    var quoted = false;
    var i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
    for (; i < text.length; i += 1) {
      var c = text[i];
      if (quoted) {
        if (c === '"' && text[i + 1] === '"') { cell += '"'; i += 1; } else if (c === '"') quoted = false; else cell += c;
      } else if (c === '"') quoted = true;
      else if (c === ',') { record.push(cell); cell = ''; } else if (c === '\n' || c === '\r') {
        if (c === '\r' && text[i + 1] === '\n') i += 1;
        record.push(cell); records.push(record); record = []; cell = '';
      } else cell += c;
    }
    if (cell !== '' || record.length > 0) { record.push(cell); records.push(record); }
    return records;
  }

  /** The location each data row of an uploaded file names (rows[n] of the API's errors is data row n). */
  function locationsByRow(text) {
    var records = parseCsv(text);
    var column = (records[0] || []).indexOf('locationId');
    return records.slice(1).map(function (record) { return column < 0 ? '' : (record[column] || '').trim(); });
  }

  /** `rows[12].vacancies.nursing.male` → { row: 12, column: 'vacancies.nursing.male' }; anything else has no row. */
  function rowOf(path) {
    var match = /^rows\[(\d+)\]\.?(.*)$/.exec(path || '');
    return match ? { row: Number(match[1]), column: match[2] } : null;
  }

  ct.showOverview = function (page, say) {
    var homes = [];
    var byId = {};
    var selected = {};
    var results = {}; // locationId → { text, warn } from the last action
    var screen = 0;
    var filter = { name: '', stale: false };
    var busy = false;

    function shown() {
      var name = filter.name.trim().toLowerCase();
      return homes.filter(function (home) {
        return (!name || home.name.toLowerCase().indexOf(name) >= 0) && (!filter.stale || ui.freshness(home.lastUpdated).warn);
      });
    }
    function selectedIds() { return Object.keys(selected).filter(function (id) { return selected[id]; }); }

    /** Every location of the caller, page after page of the API; `quiet`: without progress (a refresh after an upload). */
    function loadAll(quiet) {
      var loaded = [];
      function next(token) {
        var path = '/v1/locations?limit=' + API_PAGE + (token ? '&nextToken=' + encodeURIComponent(token) : '');
        return ct.get(path).then(function (listing) {
          loaded = loaded.concat(listing.items);
          if (listing.nextToken) { if (!quiet) say('Loading your locations… ' + loaded.length + ' so far'); return next(listing.nextToken); }
          return loaded;
        });
      }
      if (!quiet) say('Loading your locations…');
      return next(null).then(function () {
        homes = loaded;
        homes.sort(function (a, b) { return a.name.localeCompare(b.name, 'en-GB'); });
        byId = {};
        homes.forEach(function (home) { byId[home.locationId] = home; });
      });
    }

    // --- the page's parts ---------------------------------------------------------------------------
    var summary = el('p', { id: 'overview-summary' });
    var nameFilter = el('input', { id: 'filter-name', type: 'search', autocomplete: 'off' });
    var staleFilter = el('input', { id: 'filter-stale', type: 'checkbox' });
    var table = el('table', { id: 'homes' });
    var pager = el('nav', { id: 'pager', 'aria-label': 'Pages of locations', class: 'pager' });
    var selectShown = el('button', { type: 'button', id: 'select-shown', class: 'secondary' });
    var clearSelection = el('button', { type: 'button', id: 'clear-selection', class: 'secondary', text: 'Clear the selection' });
    var confirmButton = el('button', { type: 'button', id: 'confirm-selected' });
    var confirmProgress = el('div', { id: 'confirm-progress', role: 'status', 'aria-live': 'polite' });
    var templateButton = el('button', { type: 'button', id: 'download-template', class: 'secondary', text: 'Download the spreadsheet (CSV)' });
    var fileInput = el('input', { id: 'upload-file', type: 'file', accept: '.csv,text/csv', 'aria-describedby': 'upload-hint' });
    var uploadButton = el('button', { type: 'button', id: 'upload' , text: 'Upload the spreadsheet' });
    var uploadResult = el('div', { id: 'upload-result', role: 'status', 'aria-live': 'polite' });

    function renderSummary() {
      var stale = homes.filter(function (home) { return ui.freshness(home.lastUpdated).warn; }).length;
      summary.textContent = ui.plural(homes.length, 'location') + '; ' + (stale === 0 ? 'all updated in the last 24 hours.' : stale + ' not updated in the last 24 hours.');
    }

    function renderTable() {
      var list = shown();
      var pages = Math.max(1, Math.ceil(list.length / PAGE_SIZE));
      screen = Math.min(screen, pages - 1);
      var rows = list.slice(screen * PAGE_SIZE, (screen + 1) * PAGE_SIZE);
      var allOnScreen = rows.length > 0 && rows.every(function (home) { return selected[home.locationId]; });
      var screenBox = el('input', { type: 'checkbox', id: 'select-screen', checked: allOnScreen, 'aria-label': 'Select every location on this page' });
      screenBox.addEventListener('change', function () {
        rows.forEach(function (home) { selected[home.locationId] = screenBox.checked; });
        renderTable();
      });
      table.textContent = '';
      table.appendChild(el('caption', { text: list.length === homes.length ? 'Your locations' : ui.plural(list.length, 'location') + ' match' }));
      table.appendChild(el('thead', {}, [el('tr', {}, [
        el('th', { scope: 'col' }, [screenBox]), el('th', { scope: 'col', text: 'Location' }), el('th', { scope: 'col', text: 'Last updated' }), el('th', { scope: 'col', text: 'Last action' }),
      ])]));
      table.appendChild(el('tbody', {}, rows.map(function (home) {
        var fresh = ui.freshness(home.lastUpdated);
        var box = el('input', { type: 'checkbox', name: 'selected', value: home.locationId, checked: Boolean(selected[home.locationId]), 'aria-label': 'Select ' + home.name });
        box.addEventListener('change', function () { selected[home.locationId] = box.checked; renderActions(); screenBox.checked = rows.every(function (h) { return selected[h.locationId]; }); });
        var result = results[home.locationId];
        return el('tr', { 'data-location': home.locationId }, [
          el('td', {}, [box]),
          el('td', {}, [el('a', { href: '/?location=' + encodeURIComponent(home.locationId), text: home.name })]),
          el('td', {}, [el('span', { class: 'tag' + (fresh.warn ? ' warn' : ''), text: fresh.text })]),
          el('td', { class: 'result' + (result && result.warn ? ' error' : ''), text: result ? result.text : '' }),
        ]);
      })));
      if (list.length === 0) {
        var none = homes.length === 0 ? ['You are not registered for any location yet: ', el('a', { href: '/register.html', text: 'ask to update your home' }), '.'] : ['No location matches.'];
        table.appendChild(el('tbody', {}, [el('tr', {}, [el('td', { colspan: '4' }, none)])]));
      }

      pager.textContent = '';
      if (pages > 1) {
        var previous = el('button', { type: 'button', id: 'page-previous', class: 'secondary', text: 'Previous page', disabled: screen === 0 });
        var next = el('button', { type: 'button', id: 'page-next', class: 'secondary', text: 'Next page', disabled: screen >= pages - 1 });
        previous.addEventListener('click', function () { screen -= 1; renderTable(); });
        next.addEventListener('click', function () { screen += 1; renderTable(); });
        pager.appendChild(previous);
        pager.appendChild(el('span', { id: 'page-position', text: 'Page ' + (screen + 1) + ' of ' + pages + ' (' + (screen * PAGE_SIZE + 1) + '–' + (screen * PAGE_SIZE + rows.length) + ' of ' + list.length + ')' }));
        pager.appendChild(next);
      }
      renderActions();
    }

    function renderActions() {
      var count = selectedIds().length;
      var list = shown();
      selectShown.textContent = 'Select all ' + ui.plural(list.length, 'location') + (list.length === homes.length ? '' : ' shown');
      selectShown.disabled = busy || list.length === 0;
      clearSelection.disabled = busy || count === 0;
      confirmButton.textContent = count === 0 ? 'Nothing has changed: select locations first' : 'Nothing has changed: repeat the latest figures for ' + ui.plural(count, 'selected location');
      confirmButton.disabled = busy || count === 0;
      uploadButton.disabled = busy;
    }

    // --- "nothing has changed" for the selection ----------------------------------------------------
    function confirmSelected() {
      var ids = selectedIds();
      var day = ui.londonToday();
      var done = 0;
      var failed = 0;
      busy = true;
      renderActions();
      var bar = el('progress', { max: String(ids.length), value: '0', 'aria-label': 'Locations confirmed' });
      var words = el('span');
      confirmProgress.textContent = '';
      confirmProgress.appendChild(bar);
      confirmProgress.appendChild(words);
      function progress() { bar.value = done; words.textContent = ' Repeating the latest figures for today: ' + done + ' of ' + ids.length + ' done'; }
      progress();
      var queue = ids.slice();
      function worker() {
        var id = queue.shift();
        if (!id) return Promise.resolve();
        return ct.write('POST', '/v1/locations/' + encodeURIComponent(id) + '/returns/' + day + '/confirm', {}, {}, ct.newIdempotencyKey()).then(function (answer) {
          results[id] = { text: 'Confirmed for today (version ' + answer.body.version + ')', warn: false };
          if (byId[id]) byId[id].lastUpdated = answer.body.submittedAt;
          selected[id] = false;
        }, function (error) {
          failed += 1;
          var meanwhile = error.problem && /changed-meanwhile$/.test(error.problem.type || '');
          results[id] = { text: meanwhile ? 'Not confirmed: someone saved figures meanwhile; open the location to check them' : 'Not confirmed: ' + error.message, warn: true };
        }).then(function () { done += 1; progress(); return worker(); });
      }
      var workers = [];
      for (var i = 0; i < Math.min(CONFIRMS_AT_ONCE, ids.length); i += 1) workers.push(worker());
      return Promise.all(workers).then(function () {
        busy = false;
        var message = (ids.length - failed) + ' of ' + ids.length + ' confirmed for today' + (failed > 0 ? '; ' + failed + ' not: the reason is beside each, and they stay selected.' : '.');
        words.textContent = ' ' + message;
        say(message);
        renderSummary();
        renderTable();
      });
    }

    // --- the spreadsheet ----------------------------------------------------------------------------
    function downloadTemplate() {
      templateButton.disabled = true;
      say('Preparing the spreadsheet…');
      ct.request('GET', '/v1/returns/bulk/template.csv').then(function (answer) {
        var link = el('a', { href: URL.createObjectURL(answer.body), download: 'capacity-tracker-' + ui.londonToday() + '.csv' });
        document.body.appendChild(link);
        link.click();
        link.remove();
        setTimeout(function () { URL.revokeObjectURL(link.href); }, 60000);
        say('The spreadsheet is downloaded: one row per location, today’s date, your latest figures filled in.');
      }, function (error) { say('No spreadsheet: ' + error.message); }).then(function () { templateButton.disabled = false; });
    }

    var upload = null; // { file, key }: the same file sent again keeps its Idempotency-Key
    function uploadFile() {
      var file = fileInput.files && fileInput.files[0];
      uploadResult.textContent = '';
      if (!file) { uploadResult.appendChild(el('p', { class: 'error', text: 'Choose the filled-in spreadsheet (a CSV file) first.' })); return; }
      if (!upload || upload.file !== file) upload = { file: file, key: ct.newIdempotencyKey() };
      var sent = upload;
      busy = true;
      renderActions();
      uploadResult.appendChild(el('p', {}, [el('progress', { 'aria-label': 'Uploading' }), ' Checking and saving ' + file.name + '…']));
      say('Uploading ' + file.name + '…');
      Promise.all([file.text(), ct.write('POST', '/v1/returns/bulk', file, { 'content-type': 'text/csv; charset=utf-8' }, sent.key).then(
        function (answer) { return { answer: answer }; },
        function (error) { return { error: error }; },
      )]).then(function (both) {
        var rowsOf = locationsByRow(both[0]);
        busy = false;
        uploadResult.textContent = '';
        if (both[1].answer) showSaved(both[1].answer.body.items);
        else showRefused(both[1].error, rowsOf);
        return loadAll(true).then(function () { renderSummary(); renderTable(); });
      }).catch(function (error) { busy = false; renderActions(); say(error.message); });
    }

    function nameOf(locationId) { return byId[locationId] ? byId[locationId].name : locationId || 'No location given'; }
    /** Spreadsheet row of data row n: the header is row 1. */
    function sheetRow(row) { return 'Row ' + (row + 2); }

    function showSaved(items) {
      var count = function (status) { return items.filter(function (item) { return item.status === status; }).length; };
      var warned = items.filter(function (item) { return item.warnings; });
      var box = el('div', { id: 'upload-saved', class: 'done', tabindex: '-1' }, [
        el('h2', { text: 'The spreadsheet is saved' }),
        el('p', { text: ui.plural(count(201), 'new return') + ', ' + ui.plural(count(200), 'correction') + ', ' + ui.plural(count(204), 'blank row') + ' skipped.' }),
      ]);
      if (warned.length > 0) {
        box.appendChild(el('p', { text: 'Saved, but please check these rows:' }));
        box.appendChild(el('ul', {}, warned.map(function (item) { return el('li', { text: sheetRow(item.row) + ', ' + nameOf(item.locationId) + ': ' + item.warnings.join(', ') }); })));
      }
      uploadResult.appendChild(box);
      box.focus();
      say('Saved ' + ui.plural(count(201) + count(200), 'row') + ' of the spreadsheet');
    }

    /** Nothing (or, when it stopped part-way, not everything) was saved: each row's problems beside it. */
    function showRefused(error, rowsOf) {
      var problem = error.problem || {};
      var byRow = {};
      var general = [];
      (problem.errors || []).forEach(function (item) {
        var at = rowOf(item.path);
        if (!at) { general.push((item.path ? item.path + ': ' : '') + item.message); return; }
        (byRow[at.row] = byRow[at.row] || []).push((at.column ? at.column + ': ' : '') + item.message);
      });
      var box = el('div', { id: 'upload-problem', class: 'problem', role: 'alert', tabindex: '-1' }, [
        el('h2', { text: problem.written ? 'The upload stopped part-way' : 'Nothing was saved' }),
        el('p', { text: error.message }),
      ]);
      if (general.length > 0) box.appendChild(el('ul', {}, general.map(function (text) { return el('li', { text: text }); })));
      var rows = Object.keys(byRow).map(Number).sort(function (a, b) { return a - b; });
      if (rows.length > 0) {
        box.appendChild(el('table', { id: 'upload-errors' }, [
          el('caption', { text: ui.plural(rows.length, 'row') + ' to put right' }),
          el('thead', {}, [el('tr', {}, [el('th', { scope: 'col', text: 'Row' }), el('th', { scope: 'col', text: 'Location' }), el('th', { scope: 'col', text: 'Problem' })])]),
          el('tbody', {}, rows.map(function (row) {
            return el('tr', { 'data-row': String(row) }, [
              el('th', { scope: 'row', text: sheetRow(row) }),
              el('td', { text: nameOf(rowsOf[row]) }),
              el('td', {}, [el('ul', { class: 'changes' }, byRow[row].map(function (text) { return el('li', { text: text }); }))]),
            ]);
          })),
        ]));
      }
      uploadResult.appendChild(box);
      box.focus();
      say('Not saved: ' + error.message);
    }

    // --- put together -------------------------------------------------------------------------------
    nameFilter.addEventListener('input', function () { filter.name = nameFilter.value; screen = 0; renderTable(); });
    staleFilter.addEventListener('change', function () { filter.stale = staleFilter.checked; screen = 0; renderTable(); });
    selectShown.addEventListener('click', function () { shown().forEach(function (home) { selected[home.locationId] = true; }); renderTable(); });
    clearSelection.addEventListener('click', function () { selected = {}; renderTable(); });
    confirmButton.addEventListener('click', confirmSelected);
    templateButton.addEventListener('click', downloadTemplate);
    uploadButton.addEventListener('click', uploadFile);

    return loadAll().then(function () {
      page.textContent = '';
      page.appendChild(el('h1', { text: 'Your locations' }));
      page.appendChild(summary);
      renderSummary();
      if (homes.length === 0) { say('You are not registered for any location yet.'); return; }
      page.appendChild(el('section', { id: 'spreadsheet', 'aria-labelledby': 'spreadsheet-title', class: 'area' }, [
        el('h2', { id: 'spreadsheet-title', text: 'Many locations at once: the spreadsheet' }),
        el('p', { text: 'Download the spreadsheet, change the figures that have changed (one row per location, today’s date), and upload it. Every row is checked first: if any row has a problem, nothing is saved and each problem is shown beside its row.' }),
        templateButton,
        el('div', { class: 'field upload' }, [
          el('label', { for: 'upload-file', text: 'The filled-in spreadsheet' }),
          el('span', { class: 'hint', id: 'upload-hint', text: 'A CSV file with the spreadsheet’s columns, at most 500 rows.' }),
          fileInput,
        ]),
        uploadButton,
        uploadResult,
      ]));
      page.appendChild(el('div', { class: 'filters' }, [
        el('div', { class: 'field' }, [el('label', { for: 'filter-name', text: 'Find a location by name' }), nameFilter]),
        el('div', { class: 'field' }, [el('label', {}, [staleFilter, ' Only those not updated in the last 24 hours'])]),
      ]));
      page.appendChild(el('div', { class: 'actions' }, [confirmButton, selectShown, clearSelection]));
      page.appendChild(confirmProgress);
      page.appendChild(table);
      page.appendChild(pager);
      renderTable();
      say(ui.plural(homes.length, 'location'));
    }, function (error) { say(error.message); });
  };
})();
