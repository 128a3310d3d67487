// After a failed submit, focus the error summary (templates/includes/error_summary.html), as
// Aksel's ErrorSummary asks: a screen reader reads its heading, and the first link is one Tab
// away. A link in the summary moves focus to its field (the browser only scrolls to it).
(function () {
  "use strict";
  var summary = document.querySelector("[data-focus-on-load]");
  if (!summary) {
    return;
  }
  summary.focus();
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    if (!link) {
      return;
    }
    var target = document.getElementById(link.getAttribute("href").slice(1));
    if (!target) {
      return;
    }
    event.preventDefault();
    var control = target.matches("fieldset") ? target.querySelector("input") : target;
    target.scrollIntoView({ block: "center" });
    (control || target).focus();
  });
})();
