// The plan review's unit pickers: every [data-unit-picker] field shares one <datalist>,
// filled from the unit search as the office types (the registry is far too large to
// put in the page). Without this script the fields still take a unit's name or alias.
(function () {
  "use strict";
  var list = document.querySelector("datalist[data-units-url]");
  if (!list) return;
  var url = list.getAttribute("data-units-url");
  var timer = null;
  var last = "";
  var pending = null;

  function fill(units) {
    while (list.firstChild) list.removeChild(list.firstChild);
    units.forEach(function (u) {
      var option = document.createElement("option");
      option.value = u.label;
      list.appendChild(option);
    });
  }

  function search(q) {
    if (q === last) return;
    last = q;
    if (pending) pending.abort();
    pending = new AbortController();
    fetch(url + "?format=json&q=" + encodeURIComponent(q), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
      signal: pending.signal,
    })
      .then(function (r) { return r.ok ? r.json() : { units: [] }; })
      .then(function (data) { fill(data.units || []); })
      .catch(function () {});
  }

  document.addEventListener("input", function (event) {
    var field = event.target;
    if (!field.hasAttribute || !field.hasAttribute("data-unit-picker")) return;
    var q = field.value.trim();
    if (!q || /#\d+\s*$/.test(q)) return;  // empty, or a suggestion already picked
    clearTimeout(timer);
    timer = setTimeout(function () { search(q); }, 200);
  });
})();
