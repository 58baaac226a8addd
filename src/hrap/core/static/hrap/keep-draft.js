// Keeps what a person types in a form marked data-keep-draft in this browser until it is saved,
// so a lost session or a closed tab does not lose it. Restored only when the server's text
// still is what the person started from.
(function () {
  document.querySelectorAll("form[data-keep-draft]").forEach(function (form) {
    var key = "hrap-draft:" + form.getAttribute("data-keep-draft");
    var version = form.querySelector("input[name=version]");
    var fields = form.querySelectorAll("textarea, select, input[type=text]");
    var stored = null;
    try { stored = JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { stored = null; }
    if (stored && version && stored.version === version.value) {
      fields.forEach(function (field) {
        if (stored.values[field.name] !== undefined) { field.value = stored.values[field.name]; }
      });
    }
    form.addEventListener("input", function () {
      var values = {};
      fields.forEach(function (field) { values[field.name] = field.value; });
      localStorage.setItem(key, JSON.stringify({ version: version ? version.value : "", values: values }));
    });
    form.addEventListener("submit", function () { localStorage.removeItem(key); });
  });
})();
