// The area page's two charts (areas.html), side by side on a wide screen: the reporting share and the
// vacancies reported, each day of the range, drawn by uPlot (vendored at /vendor/). The canvases are
// hidden from screen readers; a sentence under each, and a table of the same figures, say what they show.
(function () {
  var ct = window.CapacityTracker;
  var ui = ct.ui;
  var el = ui.el;
  var data = ct.areaData;
  var HEIGHT = 220;
  var charts = [];
  var resizeTimer = null;

  function dayLabel(day) { return new Date(day + 'T12:00:00Z').toLocaleDateString('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'short' }); }

  /** "latest 75% (5 March), lowest 20%, highest 100%": what a line shows, in words. */
  function describe(days, values, format) {
    var known = [];
    values.forEach(function (value, index) { if (value !== null) known.push({ value: value, day: days[index] }); });
    if (known.length === 0) return 'no figures in this range';
    var latest = known[known.length - 1];
    var low = known.reduce(function (a, b) { return b.value < a.value ? b : a; });
    var high = known.reduce(function (a, b) { return b.value > a.value ? b : a; });
    return 'latest ' + format(latest.value) + ' (' + dayLabel(latest.day) + '), lowest ' + format(low.value) + ' (' + dayLabel(low.day) + '), highest ' + format(high.value) + ' (' + dayLabel(high.day) + ')';
  }

  function widthOf(box) { return Math.max(240, Math.floor(box.clientWidth || 320)); }

  function chart(box, days, values, options) {
    var x = days.map(function (day) { return Date.parse(day + 'T12:00:00Z') / 1000; });
    return new window.uPlot({
      width: widthOf(box),
      height: HEIGHT,
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      tzDate: function (ts) { return window.uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'); },
      scales: { x: { time: true }, y: { range: options.range } },
      series: [{}, { label: options.label, stroke: options.colour, fill: options.fill, width: 2, points: { show: days.length <= 62 }, spanGaps: false }],
      axes: [{ stroke: '#0b0c0c', grid: { stroke: '#e6e6e6' }, space: 56, values: function (u, splits) { return splits.map(function (ts) { return dayLabel(new Date(ts * 1000).toISOString().slice(0, 10)); }); } }, { stroke: '#0b0c0c', grid: { stroke: '#e6e6e6' }, size: 56, values: function (u, splits) { return splits.map(options.tick); } }],
    }, [x, values], box);
  }

  function figure(id, title, summary) {
    var box = el('div', { class: 'chart-box', id: id + '-chart', 'aria-hidden': 'true' });
    var node = el('figure', { class: 'chart', id: id, 'aria-labelledby': id + '-title' }, [
      el('h3', { id: id + '-title', text: title }),
      box,
      el('figcaption', { id: id + '-summary', text: summary }),
    ]);
    return { node: node, box: box };
  }

  /**
   * The charts into `container`: `days` (YYYY-MM-DD), `shares` (0..1 or null each day), `counts`
   * (reporting and expected each day), `vacancies` (a number each day), `areaName`.
   */
  function render(container, series) {
    destroy();
    var shares = series.shares.map(function (share) { return share === null ? null : Math.round(share * 1000) / 10; });
    var range = data.longDay(series.days[0]) + ' to ' + data.longDay(series.days[series.days.length - 1]);
    var shareFigure = figure('share-figure', 'Reporting share', 'Locations that sent the day’s return, of those expected, ' + range + ': ' + describe(series.days, shares, function (v) { return Math.round(v) + '%'; }) + '.');
    var vacancyFigure = figure('vacancy-figure', 'Vacancies', 'Vacant beds accepting admissions in the day’s returns, ' + range + ': ' + describe(series.days, series.vacancies, data.number) + '.');
    var rows = series.days.map(function (day, index) {
      var count = series.counts[index];
      return el('tr', {}, [
        el('th', { scope: 'row', text: dayLabel(day) }),
        el('td', { class: 'number', text: data.percent(series.shares[index]) + (count ? ' (' + count.reporting + ' of ' + count.expected + ')' : '') }),
        el('td', { class: 'number', text: data.number(series.vacancies[index]) }),
      ]);
    }).reverse();
    var table = el('details', { class: 'chart-table' }, [
      el('summary', { text: 'The figures as a table' }),
      el('div', { class: 'table-wrap' }, [el('table', { class: 'list' }, [
        el('caption', { text: series.areaName + ', each day, newest first' }),
        el('thead', {}, [el('tr', {}, [el('th', { scope: 'col', text: 'Day' }), el('th', { scope: 'col', class: 'number', text: 'Reporting share' }), el('th', { scope: 'col', class: 'number', text: 'Vacancies' })])]),
        el('tbody', {}, rows),
      ])]),
    ]);
    container.textContent = '';
    container.appendChild(el('div', { class: 'charts' }, [shareFigure.node, vacancyFigure.node]));
    container.appendChild(table);
    charts.push({ box: shareFigure.box, plot: chart(shareFigure.box, series.days, shares, { label: 'Reporting share (%)', colour: '#1d70b8', fill: 'rgba(29, 112, 184, 0.08)', range: [0, 100], tick: function (v) { return v + '%'; } }) });
    var most = Math.max.apply(null, series.vacancies.concat([1]));
    charts.push({ box: vacancyFigure.box, plot: chart(vacancyFigure.box, series.days, series.vacancies, { label: 'Vacancies', colour: '#00703c', fill: 'rgba(0, 112, 60, 0.08)', range: [0, Math.ceil(most * 1.1)], tick: function (v) { return Number.isInteger(v) ? data.number(v) : ''; } }) });
  }

  function destroy() {
    charts.forEach(function (entry) { entry.plot.destroy(); });
    charts = [];
  }

  // The charts follow the width of their column (a phone turned, a window resized).
  window.addEventListener('resize', function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () {
      charts.forEach(function (entry) {
        entry.plot.setSize({ width: widthOf(entry.box), height: HEIGHT });
      });
    }, 150);
  });

  ct.areaCharts = { render: render, destroy: destroy };
})();
