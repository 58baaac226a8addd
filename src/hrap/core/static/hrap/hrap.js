// A table wider than the screen scrolls inside itself (hrap.css); one that holds nothing to
// focus is made focusable, so the keyboard can scroll it too (WCAG 2.1.1).
(function () {
  "use strict";
  function focusable() {
    document.querySelectorAll("main table, main .scroll").forEach(function (box) {
      var wide = box.scrollWidth > box.clientWidth + 1;
      if (wide && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.dataset.scrollFocus = "1";
      } else if (!wide && box.dataset.scrollFocus) {
        box.removeAttribute("tabindex");
        delete box.dataset.scrollFocus;
      }
    });
  }
  focusable();
  window.addEventListener("resize", focusable);
})();
