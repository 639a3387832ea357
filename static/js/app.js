// Behaviour shared by every page. No inline scripts: the CSP forbids them.
(function () {
  "use strict";
  // Forms marked data-autosubmit submit when a select changes (the button stays for keyboard and no-JS use).
  document.querySelectorAll("form[data-autosubmit] select").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  document.querySelectorAll(".js-hide").forEach(function (el) { el.classList.add("visually-hidden-focusable"); });
  // A wide table (or the board) scrolls sideways in its box; a keyboard user can scroll it only if the box or a
  // control in it takes focus (WCAG 2.1.1), so a box with no control is a tab stop while, and only while, it overflows.
  var scrollBoxes = document.querySelectorAll(".table-responsive, .board");
  var controls = "a[href], button, input, select, textarea, summary, [tabindex]:not([tabindex='-1'])";
  function tabStopWhileOverflowing() {
    scrollBoxes.forEach(function (box) {
      if (box.scrollWidth > box.clientWidth && !box.querySelector(controls)) { box.tabIndex = 0; }
      else { box.removeAttribute("tabindex"); }
    });
  }
  tabStopWhileOverflowing();
  window.addEventListener("resize", tabStopWhileOverflowing);
  // Buttons with data-confirm ask before submitting.
  document.querySelectorAll("[data-confirm]").forEach(function (el) {
    el.addEventListener("click", function (event) {
      if (!window.confirm(el.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
})();
