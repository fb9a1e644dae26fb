// Areas by name for the area page (GET /v1/areas, DESIGN §10.3): the regions, a region's councils, and
// the name of any code seen, so the page never shows a bare ONS code where a name is known. Each list is
// asked for once and kept: one call for the regions, one per region opened (or one for every council).
(function () {
  var ct = window.CapacityTracker;
  var ENGLAND = 'E92000001';
  var names = {};
  names[ENGLAND] = 'England';
  var regionOfCouncil = {};
  var regionList = null;
  var councilLists = {};
  var everyCouncil = null;

  function remember(items) {
    items.forEach(function (area) {
      names[area.code] = area.name;
      if (area.level === 'localAuthority' && area.parent) regionOfCouncil[area.code] = area.parent;
    });
    return items;
  }
  /** A list asked for once; forgotten if the request failed, so a later call asks again. */
  function once(read, keep, forget) {
    var promise = read().then(function (body) { return remember(body.items); });
    keep(promise);
    promise.catch(forget);
    return promise;
  }

  function regions() {
    return regionList || once(function () { return ct.get('/v1/areas?level=region'); }, function (p) { regionList = p; }, function () { regionList = null; });
  }
  /** A region's councils, by name. */
  function councilsOf(region) {
    return councilLists[region] || once(function () { return ct.get('/v1/areas?level=localAuthority&parent=' + encodeURIComponent(region)); }, function (p) { councilLists[region] = p; }, function () { delete councilLists[region]; });
  }
  /** Every council in England, by name (also answers councilsOf for each region from then on). */
  function councils() {
    if (everyCouncil) return everyCouncil;
    everyCouncil = ct.get('/v1/areas?level=localAuthority').then(function (body) {
      var items = remember(body.items);
      var byRegion = {};
      items.forEach(function (area) { if (area.parent) (byRegion[area.parent] = byRegion[area.parent] || []).push(area); });
      Object.keys(byRegion).forEach(function (region) { if (!councilLists[region]) councilLists[region] = Promise.resolve(byRegion[region]); });
      return items;
    });
    everyCouncil.catch(function () { everyCouncil = null; });
    return everyCouncil;
  }
  /** The region a council is in (undefined if unknown). */
  function regionOf(council) {
    if (regionOfCouncil[council]) return Promise.resolve(regionOfCouncil[council]);
    return councils().then(function () { return regionOfCouncil[council]; });
  }

  function levelOf(code) { return code === ENGLAND ? 'england' : /^E12/.test(code) ? 'region' : 'localAuthority'; }
  function nameOf(code) { return names[code] || code; }
  function known(code) { return Boolean(names[code]); }
  /** "West Midlands and the councils in it", "Coventry", joined: what a commissioner's areas cover. */
  function describeAreas(codes) {
    var parts = codes.map(function (code) { return levelOf(code) === 'region' ? nameOf(code) + ' (and the councils in it)' : nameOf(code); });
    return parts.length <= 1 ? parts.join('') : parts.slice(0, -1).join(', ') + ' and ' + parts[parts.length - 1];
  }

  ct.areaNames = { ENGLAND: ENGLAND, regions: regions, councilsOf: councilsOf, councils: councils, regionOf: regionOf, levelOf: levelOf, nameOf: nameOf, known: known, describeAreas: describeAreas };
})();
