// The area page's figures (areas.html): every page of the aggregates and of the completeness series
// (DESIGN §6, §10.4), and the sums the page shows from them. Loaded after session.js, before areas.js.
(function () {
  var ct = window.CapacityTracker;
  /** A list this long is a bug (a token that never ends), not data: stop rather than loop. */
  var MAX_PAGES = 500;

  /** Every item of a paginated list: GET path?params, then again with nextToken until it is null. */
  function all(path, params, onProgress) {
    var items = [];
    function page(token, count) {
      var query = new URLSearchParams(params);
      if (token) query.set('nextToken', token);
      return ct.get(path + '?' + query.toString()).then(function (body) {
        items = items.concat(body.items || []);
        if (onProgress) onProgress(items.length);
        if (!body.nextToken) return items;
        if (count >= MAX_PAGES) throw new Error('The figures did not end after ' + MAX_PAGES + ' pages: try a shorter range.');
        return page(body.nextToken, count + 1);
      });
    }
    return page(null, 1);
  }

  /** The daily aggregates of `level` (one `area`, or every area the caller may see) from `from` to `to`. */
  function aggregates(params, onProgress) { return all('/v1/aggregates', Object.assign({ limit: '1000' }, params), onProgress); }
  /** The completeness series: one item per area and day, days nobody reported included. */
  function completeness(params, onProgress) { return all('/v1/completeness', params, onProgress); }

  function keyed(items, key) {
    var map = {};
    items.forEach(function (item) { map[item[key]] = item; });
    return map;
  }

  /**
   * Occupancy as a share (0..1): occupied ÷ (occupied + vacancies + vacant reserved + vacant not
   * admittable); null when there are no beds in the day's returns.
   */
  function occupancy(aggregate) {
    if (!aggregate) return null;
    var occupied = aggregate.bedsOccupied || 0;
    var beds = occupied + ((aggregate.vacancies || {}).total || 0) + (aggregate.bedsVacantReserved || 0) + (aggregate.bedsVacantNotAdmittable || 0);
    return beds > 0 ? occupied / beds : null;
  }

  /**
   * One area's figures for the day: reporting from the completeness series (or the aggregate, if the
   * series has no item), the rest from the aggregate. No aggregate means nobody reported: zeros.
   */
  function figures(code, name, aggregate, complete) {
    var reporting = complete ? complete.locationsReporting : aggregate ? aggregate.locationsReporting : 0;
    var expected = complete ? complete.locationsExpected : aggregate ? aggregate.locationsExpected : 0;
    var share = complete && complete.reportingShare !== undefined ? complete.reportingShare : expected > 0 ? reporting / expected : null;
    return {
      code: code,
      name: name,
      reporting: reporting,
      expected: expected,
      share: share,
      vacancies: aggregate ? (aggregate.vacancies || {}).total || 0 : 0,
      occupancy: occupancy(aggregate),
      outbreak: aggregate ? aggregate.locationsInOutbreak || 0 : 0,
      closed: aggregate ? aggregate.locationsClosedToAdmissions || 0 : 0,
      reported: Boolean(aggregate),
    };
  }

  /** Every day from `from` to `to`, inclusive (YYYY-MM-DD). */
  function days(from, to) {
    var list = [];
    for (var day = from; day <= to && list.length <= 3660; day = ct.ui.addDays(day, 1)) list.push(day);
    return list;
  }

  /** Whole days between two dates (to − from). */
  function span(from, to) { return Math.round((Date.parse(to + 'T12:00:00Z') - Date.parse(from + 'T12:00:00Z')) / 86400000); }

  /** "3 December 2026". */
  function longDay(day) { return new Date(day + 'T12:00:00Z').toLocaleDateString('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'long', year: 'numeric' }); }
  function percent(share) { return share === null || share === undefined ? '–' : Math.round(share * 100) + '%'; }
  function number(value) { return Number(value).toLocaleString('en-GB'); }

  ct.areaData = { all: all, aggregates: aggregates, completeness: completeness, keyed: keyed, occupancy: occupancy, figures: figures, days: days, span: span, percent: percent, number: number, longDay: longDay };
})();
