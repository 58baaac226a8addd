// The review screen from the keyboard: move between rows, tick ranges, run a correction.
// Everything here has a plain form behind it; the page works without this file.
(function () {
  "use strict";
  var form = document.getElementById("bulk");
  var status = document.getElementById("selection");
  if (!form || !status) return;
  var tree = document.getElementById("tree");
  var empty = status.textContent;
  var last = null;

  function boxes() {
    return Array.prototype.slice.call(tree.querySelectorAll("input[name=nodes]"));
  }
  function rowOf(element) {
    return element && element.closest ? element.closest("li.row") : null;
  }
  function boxOf(row) {
    return row.querySelector("input[name=nodes]");
  }
  function shown(row) {
    var part = row.closest("details.part");
    return !part || part.open;
  }
  function update() {
    var all = boxes();
    var ticked = all.filter(function (b) { return b.checked; });
    var hidden = ticked.filter(function (b) { return !shown(rowOf(b)); }).length;
    all.forEach(function (b) { rowOf(b).classList.toggle("selected", b.checked); });
    if (!ticked.length) {
      status.textContent = empty;
      return;
    }
    var text = (ticked.length === 1 ? status.dataset.one : status.dataset.many)
      .replace("%(n)s", ticked.length);
    if (hidden) text += " " + status.dataset.hidden.replace("%(n)s", hidden);
    status.textContent = text;
  }
  function tick(box, value) {
    box.checked = value;
    last = box;
  }
  function range(box) {
    var all = boxes();
    var from = all.indexOf(last);
    var to = all.indexOf(box);
    if (from < 0) { tick(box, true); return; }
    var value = last.checked;
    all.slice(Math.min(from, to), Math.max(from, to) + 1).forEach(function (b) { b.checked = value; });
    last = box;
  }
  function focusRow(row) {
    if (!row) return;
    var part = row.closest("details.part");
    if (part && !part.open) part.open = true;
    var box = boxOf(row);
    if (box) box.focus();
    row.scrollIntoView({ block: "nearest" });
  }
  function step(current, forward) {
    var rows = Array.prototype.slice.call(tree.querySelectorAll("li.row"));
    var index = current ? rows.indexOf(current) : -1;
    for (var i = index + (forward ? 1 : -1); i >= 0 && i < rows.length; i += forward ? 1 : -1) {
      // Rows of a closed part are skipped, except at the end of the open ones.
      if (shown(rows[i]) || !rows.slice(i).some(shown)) return rows[i];
    }
    return null;
  }
  function select(which) {
    var current = rowOf(document.activeElement);
    boxes().forEach(function (b) {
      var row = rowOf(b);
      if (which === "none") b.checked = false;
      else if (which === "flagged" && row.dataset.flagged) b.checked = true;
      else if (which === "like" && current && row.dataset.kind === current.dataset.kind &&
               row.dataset.depth === current.dataset.depth) b.checked = true;
    });
    update();
  }
  function run(action, kind) {
    if (!boxes().some(function (b) { return b.checked; }) && action !== "accept") {
      status.textContent = status.dataset.nothing;
      return;
    }
    if (kind) form.querySelector("select[name=kind]").value = kind;
    var button = form.querySelector("button[name=action][value=" + action + "]");
    if (form.requestSubmit) form.requestSubmit(button); else button.click();
  }

  var KINDS = { i: "introduction", p: "part", s: "section", t: "task", b: "subtask" };
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    if (target.isContentEditable || /^(TEXTAREA|SELECT)$/.test(target.tagName)) return;
    if (target.tagName === "INPUT" && target.type !== "checkbox") return;
    var row = rowOf(target);
    var key = event.key;
    var handled = true;
    if (key === ">") run("indent");
    else if (key === "<") run("outdent");
    else if (key === "Delete") run("delete");
    else if (key === "Escape") select("none");
    else if (key.length !== 1) handled = false;
    else {
      key = key.toLowerCase();
      if (key === "j" || key === "k") {
        var next = step(row, key === "j");
        if (event.shiftKey && row) tick(boxOf(row), true);
        if (event.shiftKey && next) tick(boxOf(next), true);
        focusRow(next);
        update();
      } else if (key === "x" && row) {
        if (event.shiftKey) range(boxOf(row)); else tick(boxOf(row), !boxOf(row).checked);
        update();
      } else if (key === "f") select("flagged");
      else if (key === "l") select("like");
      else if (KINDS[key]) run("kind", KINDS[key]);
      else if (key === "m") run("merge");
      else if (key === "u") {
        var undo = document.getElementById("undo");
        if (undo) undo.click(); else handled = false;
      } else handled = false;
    }
    if (handled) event.preventDefault();
  });
  tree.addEventListener("click", function (event) {
    var box = event.target;
    if (box.name !== "nodes") return;
    if (event.shiftKey && last) range(box); else last = box;
    update();
  });
  tree.addEventListener("change", update);
  form.querySelectorAll("[data-select]").forEach(function (button) {
    button.addEventListener("click", function () { select(button.dataset.select); });
  });
  form.querySelectorAll(".js-only").forEach(function (tools) { tools.hidden = false; });

  // A link to a row (the ingest report, a message after a correction) opens its part and
  // puts the focus on it, so the keyboard carries on from there.
  function reveal() {
    var id = decodeURIComponent(location.hash.slice(1));
    var row = id && document.getElementById(id);
    if (row && row.classList.contains("row")) focusRow(row);
  }
  window.addEventListener("hashchange", reveal);
  // After the browser's own move to the fragment, which would take the focus back.
  window.addEventListener("load", function () { setTimeout(reveal, 0); });
  update();
})();
