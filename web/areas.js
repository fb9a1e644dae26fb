// The area page (areas.html) for commissioners and national teams: choose England, a region or a council
// by name; a sortable table of the areas within it for a day (reporting share, vacancies, occupancy,
// outbreaks, closures), two charts over a date range, and downloads of any size. A commissioner starts at
// their own area and is told plainly when they choose one outside it (the API answers 403).
(function () {
  var ct = window.CapacityTracker;
  var ui = ct.ui;
  var el = ui.el;
  var data = ct.areaData;
  var names = ct.areaNames;
  var ENGLAND = names.ENGLAND;
  var DEFAULT_DAYS = 30;
  var MAX_SPAN_DAYS = 365; // from and to at most a year apart: 366 days, what one request may cover

  var status = document.getElementById('status');
  var access = document.getElementById('access');
  var form = document.getElementById('area-form');
  var regionSelect = document.getElementById('region');
  var councilSelect = document.getElementById('council');
  var councilField = document.getElementById('council-field');
  var byField = document.getElementById('by-field');
  var dayInput = document.getElementById('day');
  var fromInput = document.getElementById('from');
  var toInput = document.getElementById('to');
  var sections = ['day-section', 'trend-section', 'export-section'].map(function (id) { return document.getElementById(id); });
  var who = { role: undefined, areas: [] };
  var chosen = null; // what is on screen: { level, area, name, day, from, to, by }
  var notice = ''; // said once by the next show (an area asked for that is not here)
  var tickets = { day: 0, trend: 0, councils: 0 };

  function dayWords(day) {
    var name = ui.dayName(day);
    return name === 'Today' || name === 'Yesterday' ? name.toLowerCase() + ' (' + data.longDay(day) + ')' : data.longDay(day);
  }
  function isDay(value) { return /^\d{4}-\d{2}-\d{2}$/.test(value) && !isNaN(Date.parse(value + 'T12:00:00Z')); }

  // ---- The pickers ----------------------------------------------------------------------------------

  function option(value, text, selected) { return el('option', { value: value, text: text, selected: Boolean(selected) }); }

  function showRegions(regions) {
    var keep = regionSelect.value;
    regionSelect.textContent = '';
    regionSelect.appendChild(option(ENGLAND, 'England'));
    regions.forEach(function (region) { regionSelect.appendChild(option(region.code, region.name)); });
    regionSelect.value = keep || ENGLAND;
  }

  /** The council picker for the region chosen (hidden for England, where "Compare" takes its place). */
  function showCouncils(region, selected) {
    var ticket = ++tickets.councils;
    var england = region === ENGLAND;
    councilField.hidden = england;
    byField.hidden = !england;
    if (england) return Promise.resolve();
    councilSelect.textContent = '';
    councilSelect.appendChild(option('', 'Loading councils…'));
    councilSelect.disabled = true;
    return names.councilsOf(region).then(function (councils) {
      if (ticket !== tickets.councils) return;
      councilSelect.textContent = '';
      councilSelect.appendChild(option('', 'The whole region'));
      councils.forEach(function (council) { councilSelect.appendChild(option(council.code, council.name, council.code === selected)); });
      councilSelect.disabled = false;
    }, function (error) {
      if (ticket !== tickets.councils) return;
      councilSelect.textContent = '';
      councilSelect.appendChild(option('', 'The whole region'));
      councilSelect.disabled = false;
      status.textContent = 'The councils could not be listed: ' + error.message;
    });
  }

  /** Set the pickers to an area by its code: England, a region, or a council (placed in its region). */
  function pick(code) {
    var level = names.levelOf(code);
    var offered = function (value) { return Array.prototype.some.call(regionSelect.options, function (item) { return item.value === value; }); };
    var unknown = function () { notice = 'There is no area ' + code + ' here: showing England.'; regionSelect.value = ENGLAND; return showCouncils(ENGLAND); };
    if (level === 'england') { regionSelect.value = ENGLAND; return showCouncils(ENGLAND); }
    if (level === 'region') { if (!offered(code)) return unknown(); regionSelect.value = code; return showCouncils(code); }
    return names.regionOf(code).then(function (region) {
      if (!region || !offered(region)) return unknown();
      regionSelect.value = region;
      return showCouncils(region, code);
    });
  }

  /** The area the pickers name. */
  function picked() {
    var region = regionSelect.value;
    var council = !councilField.hidden && !councilSelect.disabled ? councilSelect.value : '';
    var area = council || region;
    var level = names.levelOf(area);
    return { level: level, area: area, name: names.nameOf(area), by: level === 'england' ? form.querySelector('input[name=by]:checked').value : undefined };
  }

  // ---- Dates ----------------------------------------------------------------------------------------

  function fieldError(input, message) {
    var error = document.getElementById(input.id + '-error');
    error.textContent = message || '';
    if (message) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
  }
  /** The dates as asked, or null when one is wrong (said beside it, and the first wrong one focused). */
  function dates() {
    [dayInput, fromInput, toInput].forEach(function (input) { fieldError(input, ''); });
    var day = dayInput.value, from = fromInput.value, to = toInput.value;
    var wrong = [];
    if (!isDay(day)) wrong.push([dayInput, 'Enter a day, like ' + ui.londonToday()]);
    if (!isDay(from)) wrong.push([fromInput, 'Enter a day, like ' + ui.addDays(ui.londonToday(), -(DEFAULT_DAYS - 1))]);
    if (!isDay(to)) wrong.push([toInput, 'Enter a day, like ' + ui.londonToday()]);
    if (isDay(from) && isDay(to) && from > to) wrong.push([fromInput, 'Must be on or before the “to” day']);
    else if (isDay(from) && isDay(to) && data.span(from, to) > MAX_SPAN_DAYS) wrong.push([fromInput, 'The charts cover at most a year: choose a later “from” day']);
    wrong.forEach(function (pair) { fieldError(pair[0], pair[1]); });
    if (wrong.length) {
      wrong[0][0].focus();
      status.textContent = 'Check the dates: ' + wrong.map(function (pair) { return pair[1]; }).join('; ') + '.';
      return null;
    }
    return { day: day, from: from, to: to };
  }

  // ---- Refused: outside the caller's areas ----------------------------------------------------------

  function denied(what, error) {
    sections.forEach(function (section) { section.hidden = true; });
    ct.areaCharts.destroy();
    access.textContent = '';
    access.appendChild(el('h2', { text: 'You cannot see the figures for ' + what.name }));
    if (who.areas.length) {
      access.appendChild(el('p', { text: 'Your account covers ' + names.describeAreas(who.areas) + ' only. Choose an area there, or ask your administrator for access.' }));
      var own = who.areas[0];
      var back = el('button', { type: 'button', class: 'secondary', id: 'show-own', text: 'Show ' + names.nameOf(own) });
      back.addEventListener('click', function () { pick(own).then(function () { show(); }); });
      access.appendChild(back);
    } else {
      access.appendChild(el('p', { text: error.message }));
    }
    access.hidden = false;
    // The box is an alert: said once, not again by the status line.
    status.textContent = '';
    access.focus();
  }
  function failed(what, error, line, progress) {
    progress.hidden = true;
    if (error.status === 403) return denied(what, error);
    line.textContent = 'The figures could not be loaded: ' + error.message;
  }

  // ---- The day: the areas within the one chosen -----------------------------------------------------

  function loadDay(what) {
    var ticket = ++tickets.day;
    var line = document.getElementById('day-status');
    var progress = document.getElementById('day-progress');
    var wrap = document.getElementById('day-table-wrap');
    document.getElementById('day-heading').textContent = what.name + ', ' + dayWords(what.day);
    var single = what.level === 'localAuthority';
    var within = what.level === 'england' ? (what.by === 'region' ? names.regions() : names.councils()) : single ? Promise.resolve([{ code: what.area, name: what.name }]) : names.councilsOf(what.area);
    var level = what.level === 'england' ? what.by : 'localAuthority';
    var range = { level: level, from: what.day, to: what.day };
    if (single) range.area = what.area;
    var whole = { level: what.level, area: what.area, from: what.day, to: what.day };
    line.textContent = 'Loading the figures for ' + what.name + '…';
    progress.hidden = false;
    wrap.textContent = '';
    wrap.setAttribute('aria-busy', 'true');
    Promise.all([
      within,
      data.aggregates(range),
      data.completeness(range),
      single ? Promise.resolve([]) : data.aggregates(whole),
      single ? Promise.resolve([]) : data.completeness(whole),
    ]).then(function (results) {
      if (ticket !== tickets.day) return;
      progress.hidden = true;
      wrap.removeAttribute('aria-busy');
      var aggregates = data.keyed(results[1], 'area');
      var completeness = data.keyed(results[2], 'area');
      var rows = results[0].map(function (area) { return data.figures(area.code, area.name, aggregates[area.code], completeness[area.code]); });
      var total = single ? null : data.figures(what.area, what.name, results[3][0], results[4][0]);
      var kind = level === 'region' ? 'Regions' : 'Councils';
      var caption = single ? what.name + ', ' + dayWords(what.day) : kind + ' in ' + what.name + ', ' + dayWords(what.day);
      ct.areaTable.render(wrap, { rows: rows, total: total, caption: caption, noteId: 'occupancy-note' });
      var sum = total || rows[0];
      line.textContent = single || !sum
        ? ''
        : ui.plural(rows.length, kind === 'Regions' ? 'region' : 'council') + '. ' + data.number(sum.reporting) + ' of ' + data.number(sum.expected) + ' locations reported (' + data.percent(sum.share) + '). Sort by any column with the buttons in its heading.';
    }, function (error) {
      if (ticket !== tickets.day) return;
      wrap.removeAttribute('aria-busy');
      failed(what, error, line, progress);
    });
  }

  // ---- Over time: the two charts ----------------------------------------------------------------------

  function loadTrend(what) {
    var ticket = ++tickets.trend;
    var line = document.getElementById('trend-status');
    var progress = document.getElementById('trend-progress');
    var holder = document.getElementById('trend');
    document.getElementById('trend-heading').textContent = what.name + ' over time, ' + data.longDay(what.from) + ' to ' + data.longDay(what.to);
    var range = { level: what.level, area: what.area, from: what.from, to: what.to };
    line.textContent = 'Loading ' + ui.plural(data.span(what.from, what.to) + 1, 'day') + ' of figures for ' + what.name + '…';
    progress.hidden = false;
    ct.areaCharts.destroy();
    holder.textContent = '';
    holder.setAttribute('aria-busy', 'true');
    var read = [0, 0];
    var counter = function (index) {
      return function (count) { read[index] = count; if (ticket === tickets.trend) line.textContent = 'Loading the figures for ' + what.name + '… ' + data.number(read[0] + read[1]) + ' read so far'; };
    };
    Promise.all([data.aggregates(range, counter(0)), data.completeness(range, counter(1))]).then(function (results) {
      if (ticket !== tickets.trend) return;
      progress.hidden = true;
      holder.removeAttribute('aria-busy');
      var aggregates = data.keyed(results[0].filter(function (item) { return item.area === what.area; }), 'date');
      var completeness = data.keyed(results[1].filter(function (item) { return item.area === what.area; }), 'date');
      var days = data.days(what.from, what.to);
      var each = days.map(function (day) { return data.figures(what.area, what.name, aggregates[day], completeness[day]); });
      ct.areaCharts.render(holder, {
        areaName: what.name,
        days: days,
        shares: each.map(function (row) { return row.share; }),
        counts: each.map(function (row) { return { reporting: row.reporting, expected: row.expected }; }),
        vacancies: each.map(function (row) { return row.vacancies; }),
      });
      line.textContent = '';
    }, function (error) {
      if (ticket !== tickets.trend) return;
      holder.removeAttribute('aria-busy');
      failed(what, error, line, progress);
    });
  }

  // ---- Showing what was chosen ------------------------------------------------------------------------

  function remember(what) {
    var query = new URLSearchParams({ area: what.area, day: what.day, from: what.from, to: what.to });
    if (what.by) query.set('by', what.by);
    history.replaceState(null, '', window.location.pathname + '?' + query.toString());
  }

  function show(event) {
    if (event) event.preventDefault();
    var when = dates();
    if (!when) return;
    var what = Object.assign(picked(), when);
    chosen = what;
    remember(what);
    access.hidden = true;
    status.textContent = notice;
    notice = '';
    sections.forEach(function (section) { section.hidden = false; });
    document.getElementById('export-what').textContent = 'For ' + what.name + ', ' + data.longDay(what.from) + ' to ' + data.longDay(what.to) + ' (the dates of the charts). A large file takes a while: this page says how far it has got.';
    loadDay(what);
    loadTrend(what);
  }

  /** What a download covers: the area and dates on screen (as the section says), not a choice not yet shown. */
  function exportSelection() {
    if (!chosen) return null;
    return { level: chosen.level, area: chosen.area, areaName: chosen.name, from: chosen.from, to: chosen.to };
  }

  // ---- Starting -----------------------------------------------------------------------------------------

  function start() {
    who = ct.areaAccess.who();
    if (who.role !== 'commissioner' && who.role !== 'national') {
      status.textContent = '';
      status.appendChild(el('p', { text: 'This page is for commissioners and national teams: your account cannot see area figures. Ask your administrator if you need to.' }));
      return;
    }
    var asked = new URLSearchParams(window.location.search);
    var today = ui.londonToday();
    dayInput.value = isDay(asked.get('day') || '') ? asked.get('day') : today;
    toInput.value = isDay(asked.get('to') || '') ? asked.get('to') : today;
    fromInput.value = isDay(asked.get('from') || '') ? asked.get('from') : ui.addDays(toInput.value, -(DEFAULT_DAYS - 1));
    dayInput.max = today;
    toInput.max = today;
    if (asked.get('by') === 'localAuthority') form.querySelector('input[name=by][value=localAuthority]').checked = true;
    var first = asked.get('area') || who.areas[0] || ENGLAND;
    status.textContent = 'Loading the areas…';
    // A commissioner's own areas by name: a council's needs the list of councils.
    var own = who.areas.some(function (code) { return names.levelOf(code) === 'localAuthority'; }) ? names.councils() : Promise.resolve();
    Promise.all([names.regions(), own.catch(function () {})]).then(function (results) {
      showRegions(results[0]);
      return pick(/^E(92|12|06|08|09|10)\d{6}$/.test(first) ? first : ENGLAND);
    }).then(function () {
      form.hidden = false;
      if (who.areas.length) {
        var yours = document.getElementById('your-areas');
        yours.textContent = 'Your account covers ' + names.describeAreas(who.areas) + '.';
        yours.hidden = false;
      }
      ct.areaExport.init(exportSelection, who.role === 'national');
      show();
    }, function (error) {
      status.textContent = 'The areas could not be listed: ' + error.message;
    });
  }

  form.addEventListener('submit', show);
  regionSelect.addEventListener('change', function () { showCouncils(regionSelect.value); });

  if (ct.token()) start();
  // The deployed site signs in with Cognito's managed login; the local stack has a demo sign-in.
  else if (!ct.offerSignIn(status, 'Sign in to see an area’s figures.')) {
    ct.demoSignIn('national').then(function () { document.getElementById('signed-in').textContent = 'Signed in as the demo national user'; start(); }, function () { status.textContent = 'Sign in to continue.'; });
  }
})();
