// What the provider's pages share: building elements, London days and times as people say them, and how
// fresh a location's figures are. Loaded after session.js, before the pages that use it.
(function () {
  var HOUR = 3600000;

  function el(tag, attributes, children) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (key) {
      if (key === 'text') node.textContent = attributes[key];
      else if (attributes[key] !== undefined && attributes[key] !== false) node.setAttribute(key, attributes[key] === true ? '' : attributes[key]);
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child); });
    return node;
  }
  function londonToday() { return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(new Date()); }
  function addDays(day, days) { var date = new Date(day + 'T12:00:00Z'); date.setUTCDate(date.getUTCDate() + days); return date.toISOString().slice(0, 10); }
  /** A London calendar day as people say it: "Today", "Yesterday", "Monday 30 November". */
  function dayName(day) {
    var today = londonToday();
    if (day === today) return 'Today';
    if (day === addDays(today, -1)) return 'Yesterday';
    return new Date(day + 'T12:00:00Z').toLocaleDateString('en-GB', { timeZone: 'UTC', weekday: 'long', day: 'numeric', month: 'long' });
  }
  function possessive(day) { var name = dayName(day); return name === 'Today' || name === 'Yesterday' ? name.toLowerCase() + '’s' : name + '’s'; }
  function when(instant) { return new Date(instant).toLocaleString('en-GB', { timeZone: 'Europe/London', dateStyle: 'medium', timeStyle: 'short' }); }
  /** How fresh a location's figures are; `warn` once they are 24 hours old (reminders start then). */
  function freshness(lastUpdated) {
    if (!lastUpdated) return { text: 'Never updated', warn: true };
    var hours = (Date.now() - Date.parse(lastUpdated)) / HOUR;
    if (hours >= 48) return { text: 'Over 48 hours ago', warn: true };
    if (hours >= 24) return { text: 'Over 24 hours ago', warn: true };
    return { text: 'Updated ' + when(lastUpdated), warn: false };
  }
  function plural(count, one, many) { return count + ' ' + (count === 1 ? one : many || one + 's'); }

  window.CapacityTracker.ui = { el: el, londonToday: londonToday, addDays: addDays, dayName: dayName, possessive: possessive, when: when, freshness: freshness, plural: plural };
})();
