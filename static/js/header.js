// The header's disclosures (the menu on a narrow screen, the user menu) are <details>, which
// open and close without any script. This adds what a menu is expected to do besides: one open
// at a time, Escape closes it and returns focus to its button, a click or focus outside closes it.
(function () {
  "use strict";
  const selector = "details[data-disclosure]";

  function closeAll(except) {
    document.querySelectorAll(selector + "[open]").forEach(function (details) {
      if (details !== except) { details.open = false; }
    });
  }

  function init() {
    const all = document.querySelectorAll(selector);
    all.forEach(function (details) {
      details.addEventListener("toggle", function () {
        if (details.open) { closeAll(details); }
      });
      details.addEventListener("keydown", function (event) {
        if (event.key === "Escape" && details.open) {
          details.open = false;
          details.querySelector("summary").focus();
          event.preventDefault();
        }
      });
      details.addEventListener("focusout", function (event) {
        if (details.open && event.relatedTarget && !details.contains(event.relatedTarget)) {
          details.open = false;
        }
      });
    });
    document.addEventListener("click", function (event) {
      if (!event.target.closest(selector)) { closeAll(null); }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
