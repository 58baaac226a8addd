// Keeps what a person types in a form marked data-keep-draft in this browser until the server
// has it, so an expired session or a closed tab loses nothing. The draft is restored while the
// page still shows the version the person started from; once a save has gone through (the
// version moved on), the draft is dropped.
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
      form.setAttribute("data-draft-restored", "true");
    } else if (stored) {
      localStorage.removeItem(key);
    }
    form.addEventListener("input", function () {
      var values = {};
      fields.forEach(function (field) { values[field.name] = field.value; });
      localStorage.setItem(key, JSON.stringify({ version: version ? version.value : "", values: values }));
    });
  });
})();
