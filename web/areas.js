// For commissioners and national teams: an area's latest daily figures, completeness, a 30-day chart of
// vacancies, and the CSV exports (fetched with the token, then saved as a file).
(function () {
  var ct = window.CapacityTracker;
  var status = document.getElementById('status');
  var summary = document.getElementById('summary');
  var chartFigure = document.getElementById('chart-figure');
  var chart;

  function day(offset) {
    var date = new Date(Date.now() + offset * 86400000);
    return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(date);
  }
  function query() {
    var level = document.getElementById('level').value;
    var area = document.getElementById('area').value.trim().toUpperCase();
    var params = new URLSearchParams({ level: level });
    if (level === 'england') params.set('area', 'E92000001');
    else if (area) params.set('area', area);
    return params;
  }
  function row(label, value) {
    var tr = document.createElement('tr');
    var th = document.createElement('th');
    th.scope = 'row';
    th.textContent = label;
    var td = document.createElement('td');
    td.textContent = String(value);
    tr.appendChild(th);
    tr.appendChild(td);
    return tr;
  }

  // Only the newest request's answer is shown: the figures loaded when the page opened must not replace
  // the area asked for since, if they arrive later.
  var latestRequest = 0;
  function show(event) {
    if (event) event.preventDefault();
    var request = ++latestRequest;
    var params = query();
    params.set('from', day(-29));
    params.set('to', day(0));
    status.textContent = 'Loading…';
    Promise.all([ct.get('/v1/aggregates?' + params.toString()), ct.get('/v1/completeness?' + query().toString())])
      .then(function (results) {
        if (request !== latestRequest) return;
        var items = results[0].items;
        var complete = results[1].items[0];
        summary.textContent = '';
        if (items.length === 0) {
          status.textContent = 'No returns in the last 30 days for this area.';
          chartFigure.hidden = true;
          return;
        }
        var areas = {};
        items.forEach(function (item) { areas[item.area] = true; });
        var latest = items[items.length - 1];
        status.textContent = Object.keys(areas).length > 1 ? 'Showing ' + latest.area + ' (several areas matched; name one to choose)' : 'Figures for ' + latest.area;
        var table = document.createElement('table');
        var caption = document.createElement('caption');
        caption.textContent = latest.area + ' on ' + latest.date;
        table.appendChild(caption);
        [
          ['Locations reporting', latest.locationsReporting + ' of ' + latest.locationsExpected],
          ['Vacancies', latest.vacancies.total],
          ['Beds occupied', latest.bedsOccupied],
          ['Closed to admissions', latest.locationsClosedToAdmissions],
          ['In outbreak', latest.locationsInOutbreak],
          ['Staff absent', latest.staffAbsent + ' of ' + latest.staffEmployed],
          ['Under 7 days of PPE', latest.locationsWithLowPpe],
        ].forEach(function (pair) { table.appendChild(row(pair[0], pair[1])); });
        if (complete) table.appendChild(row('Updated within 24 hours', complete.updatedWithin24h + ' of ' + complete.locations + ' (' + complete.stale + ' stale)'));
        summary.appendChild(table);
        var series = items.filter(function (item) { return item.area === latest.area; });
        var data = [series.map(function (item) { return Date.parse(item.date + 'T12:00:00Z') / 1000; }), series.map(function (item) { return item.vacancies.total; })];
        chartFigure.hidden = false;
        if (chart) chart.destroy();
        chart = new window.uPlot({ width: Math.min(720, document.getElementById('chart').clientWidth || 320), height: 240, series: [{}, { label: 'Vacancies', stroke: '#1d70b8', width: 2 }], axes: [{}, {}] }, data, document.getElementById('chart'));
      })
      .catch(function (error) { if (request === latestRequest) status.textContent = error.message; });
  }

  function download(path, filename) {
    status.textContent = 'Preparing ' + filename + '…';
    ct.validToken()
      .then(function (token) { return fetch(ct.api + path, { headers: { authorization: 'Bearer ' + token } }); })
      .then(function (response) {
        if (!response.ok) return response.json().then(function (problem) { throw new Error(problem.detail || 'The export failed'); });
        return response.blob();
      })
      .then(function (blob) {
        var link = document.createElement('a');
        link.href = URL.createObjectURL(blob);
        link.download = filename;
        document.body.appendChild(link);
        link.click();
        link.remove();
        status.textContent = filename + ' downloaded.';
      })
      .catch(function (error) { status.textContent = error.message; });
  }

  document.getElementById('area-form').addEventListener('submit', show);
  document.getElementById('export-aggregates').addEventListener('click', function () {
    var params = query();
    params.set('from', day(-29));
    params.set('to', day(0));
    download('/v1/exports/aggregates.csv?' + params.toString(), 'aggregates-' + params.get('level') + '-' + day(0) + '.csv');
  });
  document.getElementById('export-locations').addEventListener('click', function () {
    download('/v1/exports/locations.csv', 'locations-' + day(0) + '.csv');
  });

  if (ct.token()) show();
  // The deployed site signs in with Cognito's managed login; the local stack has a demo sign-in.
  else if (!ct.offerSignIn(status, 'Sign in to see an area\'s figures.')) ct.demoSignIn('national').then(function () { document.getElementById('signed-in').textContent = 'Signed in as the demo national user'; show(); }, function () { status.textContent = 'Sign in to continue.'; });
})();
