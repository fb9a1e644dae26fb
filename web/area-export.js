// The area page's downloads (areas.html; DESIGN §10.4): an export job for the chosen area and dates
// (POST /v1/exports), followed every second, then less often (up to every 3 seconds), with the rows
// written so far, until the file is ready: then a link to it (a short-lived link to another origin),
// with its size and until when it works. National users may also download every location's latest return.
(function () {
  var ct = window.CapacityTracker;
  var ui = ct.ui;
  var el = ui.el;
  var data = ct.areaData;
  var FIRST_WAIT = 1000;
  var LONGEST_WAIT = 3000;
  /** Polls that may fail in a row (no answer, the service busy) before the page gives up saying so. */
  var PATIENCE = 8;
  var KINDS = { aggregates: 'daily aggregates', returns: 'returns', completeness: 'reporting (completeness)' };
  var FORMATS = { csv: 'CSV', jsonl: 'JSON Lines' };
  var FIELDS = { kind: 'What', format: 'Format', level: 'Area', area: 'Area', from: 'From', to: 'To' };

  var form, status, progress, result, button;
  var current = 0; // the job being followed; an older one's answers are ignored
  var selection;

  function size(bytes) {
    if (bytes === undefined || bytes === null) return '';
    if (bytes < 1024) return ui.plural(bytes, 'byte');
    if (bytes < 1024 * 1024) return (bytes / 1024).toFixed(bytes < 10240 ? 1 : 0) + ' KB';
    return (bytes / 1024 / 1024).toFixed(1) + ' MB';
  }
  function rowsText(rows) { return data.number(rows) + (rows === 1 ? ' row' : ' rows'); }

  function busy(on) {
    progress.hidden = !on;
    button.disabled = on;
    result.setAttribute('aria-busy', on ? 'true' : 'false');
  }

  /** A refused request, readably: each field the API named, or what it said. */
  function problem(error, what) {
    var problemJson = error.problem || {};
    var lines = (problemJson.errors || []).map(function (item) {
      var path = String(item.path || '').replace(/^(body|query)\./, '');
      return (FIELDS[path] || path || 'The request') + ': ' + item.message;
    });
    var heading = error.status === 403 ? 'You cannot download ' + what : error.status === 400 ? 'The download could not start' : 'The download failed';
    if (lines.length === 0) lines.push(error.message || 'The request failed.');
    result.textContent = '';
    result.appendChild(el('div', { class: 'problem', id: 'export-problem' }, [el('h3', { text: heading }), el('ul', {}, lines.map(function (line) { return el('li', { text: line }); }))]));
    status.textContent = heading + ': ' + lines.join(' ');
  }

  function ready(job, what) {
    var filename = job.filename || 'export.' + (job.format === 'jsonl' ? 'jsonl' : 'csv');
    var facts = [size(job.bytes), job.rows !== undefined ? rowsText(job.rows) : ''].filter(Boolean).join(', ');
    var link = el('a', { href: job.url, download: filename, id: 'export-link', class: 'download' }, ['Download ' + filename]);
    result.textContent = '';
    result.appendChild(el('div', { class: 'done', id: 'export-ready' }, [
      el('p', {}, [link, facts ? ' (' + facts + ')' : '']),
      job.expiresAt ? el('p', { class: 'hint', text: 'The link works until ' + ui.when(job.expiresAt) + '. After that, prepare the file again.' }) : null,
    ]));
    status.textContent = 'Ready: ' + what + (facts ? ', ' + facts : '') + '. The download link is below.';
  }

  function follow(exportId, what, ticket) {
    var wait = FIRST_WAIT;
    var failures = 0;
    function poll() {
      if (ticket !== current) return;
      ct.get('/v1/exports/' + encodeURIComponent(exportId)).then(function (job) {
        if (ticket !== current) return;
        failures = 0;
        if (job.status === 'ready') { busy(false); ready(job, what); return; }
        if (job.status === 'failed') {
          busy(false);
          problem({ message: job.error || 'The export failed.' }, what);
          return;
        }
        status.textContent = 'Preparing… ' + (job.rows ? rowsText(job.rows) + ' so far' : job.status === 'running' ? 'started' : 'waiting to start');
        wait = Math.min(LONGEST_WAIT, wait + 500);
        setTimeout(poll, wait);
      }, function (error) {
        if (ticket !== current) return;
        if (ct.mayRetry(error) && ++failures < PATIENCE) { setTimeout(poll, LONGEST_WAIT); return; }
        busy(false);
        problem(error.status === 404 ? { message: 'This export is no longer there: prepare the file again.' } : error, what);
      });
    }
    setTimeout(poll, wait);
  }

  function start(event) {
    event.preventDefault();
    var chosen = selection();
    if (!chosen) return;
    var kind = form.querySelector('input[name=kind]:checked').value;
    var format = form.querySelector('input[name=format]:checked').value;
    var body = { kind: kind, level: chosen.level, from: chosen.from, to: chosen.to, format: format };
    if (chosen.level !== 'england') body.area = chosen.area;
    var what = KINDS[kind] + ' for ' + chosen.areaName + ', ' + data.longDay(chosen.from) + ' to ' + data.longDay(chosen.to) + ' (' + FORMATS[format] + ')';
    var ticket = ++current;
    result.textContent = '';
    busy(true);
    status.textContent = 'Preparing… asking for the ' + what;
    ct.request('POST', '/v1/exports', body).then(function (answer) {
      if (ticket !== current) return;
      var job = answer.body;
      if (job.status === 'ready' && job.url) { busy(false); ready(job, what); return; }
      status.textContent = 'Preparing… waiting to start';
      follow(job.exportId, what, ticket);
    }, function (error) {
      if (ticket !== current) return;
      busy(false);
      problem(error, what);
    });
  }

  /** Fetched with the token (the API needs it), then saved as a file. */
  function downloadLocations() {
    var filename = 'locations-' + ui.londonToday() + '.csv';
    var ticket = ++current;
    result.textContent = '';
    busy(true);
    status.textContent = 'Preparing ' + filename + '…';
    ct.request('GET', '/v1/exports/locations.csv').then(function (answer) {
      if (ticket !== current) return;
      busy(false);
      var link = document.createElement('a');
      link.href = URL.createObjectURL(answer.body);
      link.download = filename;
      document.body.appendChild(link);
      link.click();
      link.remove();
      status.textContent = filename + ' downloaded.';
    }, function (error) {
      if (ticket !== current) return;
      busy(false);
      problem(error, 'every location’s latest return');
    });
  }

  /**
   * Wire the export form: `chosen()` returns { level, area, areaName, from, to } for the job, or null
   * (the dates are wrong, and it said so). `national`: offer the latest return of every location too.
   */
  function init(chosen, national) {
    selection = chosen;
    form = document.getElementById('export-form');
    status = document.getElementById('export-status');
    progress = document.getElementById('export-progress');
    result = document.getElementById('export-result');
    button = document.getElementById('export-start');
    form.addEventListener('submit', start);
    var locations = document.getElementById('export-locations');
    locations.hidden = !national;
    document.getElementById('export-locations-button').addEventListener('click', downloadLocations);
  }

  ct.areaExport = { init: init };
})();
