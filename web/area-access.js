// Who is signed in, for the area page: the role and a commissioner's areas, read from the ID token's claims
// (`cognito:groups`, `custom:areas`, as Cognito and the local issuer write them). Unverified: only to choose
// what to show first; the API checks every request and answers 403 outside the caller's areas.
(function () {
  var ct = window.CapacityTracker;
  /** When a token carries several groups, the broadest role wins (as the API reads it). */
  var PRECEDENCE = ['admin', 'national', 'commissioner', 'discharge', 'provider'];

  /** { role, areas } of the signed-in user; role undefined when the token says none. */
  function who() {
    var token = ct.claims();
    var groups = Array.isArray(token['cognito:groups']) ? token['cognito:groups'] : [];
    var role = PRECEDENCE.filter(function (candidate) { return groups.indexOf(candidate) >= 0; })[0];
    var areas = typeof token['custom:areas'] === 'string' ? token['custom:areas'].split(',').map(function (code) { return code.trim(); }).filter(Boolean) : [];
    return { role: role, areas: role === 'commissioner' ? areas : [] };
  }

  ct.areaAccess = { who: who };
})();
