// The area page's table of the day (areas.html): one row per area, sortable by any column with the buttons
// in its header (aria-sort says how it is sorted), and the whole area's row below, outside the sorting.
(function () {
  var ct = window.CapacityTracker;
  var el = ct.ui.el;
  var data = ct.areaData;

  var COLUMNS = [
    { key: 'name', label: 'Area', first: 'ascending' },
    { key: 'share', label: 'Reporting', first: 'descending' },
    { key: 'vacancies', label: 'Vacancies', first: 'descending' },
    { key: 'occupancy', label: 'Occupancy', note: true, first: 'descending' },
    { key: 'outbreak', label: 'In outbreak', first: 'descending' },
    { key: 'closed', label: 'Closed to admissions', first: 'descending' },
  ];
  var byName = new Intl.Collator('en-GB');

  function compare(key, a, b) {
    if (key === 'name') return byName.compare(a.name, b.name);
    var x = a[key], y = b[key];
    // No figure (nobody expected, no beds) sorts after every figure, whichever way.
    if (x === null && y === null) return 0;
    if (x === null) return 1;
    if (y === null) return -1;
    return x - y;
  }
  function sorted(rows, sort) {
    var sign = sort.direction === 'ascending' ? 1 : -1;
    return rows.slice().sort(function (a, b) {
      var order = compare(sort.key, a, b);
      if (sort.key !== 'name' && (a[sort.key] === null || b[sort.key] === null)) return order || byName.compare(a.name, b.name);
      return sign * order || byName.compare(a.name, b.name);
    });
  }

  function cells(row, header) {
    var reporting = row.share === null ? 'No locations expected' : row.reporting + ' of ' + row.expected + (row.reported ? '' : ', no returns');
    return [
      header,
      el('td', { class: 'number', 'data-label': 'Reporting', 'data-column': 'share' }, [el('span', { class: 'share', text: data.percent(row.share) }), ' ', el('span', { class: 'muted count', text: '(' + reporting + ')' })]),
      el('td', { class: 'number', 'data-label': 'Vacancies', 'data-column': 'vacancies', text: data.number(row.vacancies) }),
      el('td', { class: 'number', 'data-label': 'Occupancy', 'data-column': 'occupancy', text: data.percent(row.occupancy) }),
      el('td', { class: 'number', 'data-label': 'In outbreak', 'data-column': 'outbreak', text: data.number(row.outbreak) }),
      el('td', { class: 'number', 'data-label': 'Closed to admissions', 'data-column': 'closed', text: data.number(row.closed) }),
    ];
  }

  /**
   * The table into `container`: `rows` (the areas within), `total` (the whole area, or null), `caption`,
   * `noteId` (the footnote on occupancy, which its header points to).
   */
  function render(container, options) {
    var sort = { key: 'name', direction: 'ascending' };
    var headRow = el('tr');
    var body = el('tbody');
    var buttons = {};
    COLUMNS.forEach(function (column) {
      var button = el('button', { type: 'button', class: 'sort', 'data-sort': column.key }, [column.label, column.note ? el('span', { 'aria-hidden': 'true', text: '*' }) : null, el('span', { class: 'arrow', 'aria-hidden': 'true' })]);
      if (column.note) button.setAttribute('aria-describedby', options.noteId);
      var th = el('th', { scope: 'col', class: column.key === 'name' ? '' : 'number' }, [button]);
      buttons[column.key] = { th: th, button: button };
      button.addEventListener('click', function () {
        sort = sort.key === column.key ? { key: column.key, direction: sort.direction === 'ascending' ? 'descending' : 'ascending' } : { key: column.key, direction: column.first };
        draw();
      });
      headRow.appendChild(th);
    });
    function draw() {
      COLUMNS.forEach(function (column) {
        var parts = buttons[column.key];
        if (column.key === sort.key) parts.th.setAttribute('aria-sort', sort.direction);
        else parts.th.removeAttribute('aria-sort');
        parts.button.querySelector('.arrow').textContent = column.key === sort.key ? (sort.direction === 'ascending' ? ' ▲' : ' ▼') : '';
      });
      body.textContent = '';
      sorted(options.rows, sort).forEach(function (row) {
        body.appendChild(el('tr', { 'data-area': row.code }, cells(row, el('th', { scope: 'row', 'data-label': 'Area', text: row.name }))));
      });
    }
    draw();
    var table = el('table', { class: 'list figures', id: 'day-table' }, [el('caption', { text: options.caption }), el('thead', {}, [headRow]), body]);
    if (options.total) {
      table.appendChild(el('tfoot', {}, [el('tr', { 'data-area': options.total.code, class: 'total' }, cells(options.total, el('th', { scope: 'row', 'data-label': 'Area', text: 'All of ' + options.total.name })))]));
    }
    container.textContent = '';
    container.appendChild(table);
  }

  ct.areaTable = { render: render, COLUMNS: COLUMNS };
})();
