// The discharge team's search: one request to GET /v1/vacancies per search, results read out politely.
(function () {
  var ct = window.CapacityTracker;
  var form = document.getElementById('search');
  var status = document.getElementById('status');
  var results = document.getElementById('results');
  var areaError = document.getElementById('area-error');
  var AREA = /^(E0[6789][0-9]{6}|E1200000[1-9]|E92000001)$/;

  function ago(instant) {
    var hours = Math.floor((Date.now() - Date.parse(instant)) / 3600000);
    if (hours < 1) return 'within the hour';
    return hours < 24 ? hours + (hours === 1 ? ' hour ago' : ' hours ago') : Math.floor(hours / 24) + ' days ago';
  }

  function label(category) {
    return category.replace(/([A-Z])/g, ' $1').toLowerCase();
  }

  function render(items) {
    results.textContent = '';
    items.forEach(function (item) {
      var li = document.createElement('li');
      var h = document.createElement('h2');
      h.textContent = item.name;
      li.appendChild(h);
      var where = document.createElement('p');
      where.className = 'muted';
      where.textContent = item.localAuthority + ' · updated ' + ago(item.lastUpdated) + ' · ' + item.locationId;
      li.appendChild(where);
      var beds = document.createElement('p');
      var parts = Object.keys(item.vacancies).map(function (category) {
        var split = item.vacancies[category];
        var total = split.male + split.female + split.any;
        return total > 0 ? total + ' ' + label(category) + ' (' + split.female + ' women, ' + split.male + ' men, ' + split.any + ' anyone)' : null;
      }).filter(Boolean);
      beds.textContent = parts.join('; ');
      li.appendChild(beds);
      var tags = document.createElement('p');
      var admissions = document.createElement('span');
      admissions.className = 'tag' + (item.admissions.status === 'open' ? '' : ' warn');
      admissions.textContent = 'Admissions ' + item.admissions.status;
      tags.appendChild(admissions);
      if (item.outbreakActive) {
        var outbreak = document.createElement('span');
        outbreak.className = 'tag warn';
        outbreak.textContent = 'Outbreak';
        tags.appendChild(document.createTextNode(' '));
        tags.appendChild(outbreak);
      }
      li.appendChild(tags);
      results.appendChild(li);
    });
  }

  function search(event) {
    if (event) event.preventDefault();
    var area = document.getElementById('area').value.trim().toUpperCase();
    areaError.textContent = '';
    document.getElementById('area').removeAttribute('aria-invalid');
    if (area && !AREA.test(area)) {
      areaError.textContent = 'Enter an ONS local authority or region code, such as E08000004 or E12000002';
      document.getElementById('area').setAttribute('aria-invalid', 'true');
      document.getElementById('area').focus();
      return;
    }
    var query = new URLSearchParams({ category: document.getElementById('category').value, admitting: String(document.getElementById('admitting').checked) });
    var sex = form.querySelector('input[name=sex]:checked').value;
    if (sex) query.set('sex', sex);
    if (area) query.set('area', area);
    status.textContent = 'Searching…';
    ct.get('/v1/vacancies?' + query.toString())
      .then(function (page) {
        render(page.items);
        status.textContent = page.items.length === 0 ? 'No location with a matching vacancy updated in the last 72 hours.' : page.items.length + (page.items.length === 1 ? ' location has' : ' locations have') + ' a matching vacancy.';
      })
      .catch(function (error) {
        results.textContent = '';
        var problem = error.problem || {};
        var field = (problem.errors || [])[0];
        if (field && field.path === 'query.area') areaError.textContent = 'Area ' + field.message;
        status.textContent = error.message;
      });
  }

  function start() {
    form.addEventListener('submit', search);
    var who = document.getElementById('signed-in');
    if (ct.token()) return search();
    // The deployed site signs in with Cognito's managed login; the local stack has a demo sign-in.
    if (ct.offerSignIn(status, 'Sign in to search.')) return;
    ct.demoSignIn('discharge').then(function () { who.textContent = 'Signed in as the demo discharge team'; search(); }, function () {
      status.textContent = 'Sign in to search.';
    });
  }
  start();
})();
