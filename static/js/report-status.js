// Follow a report's status without reloading; reload once, when the report is finished.
// Loaded by templates/reports/report_detail.html while the report is queued or running.
(function () {
  const status = document.getElementById("report-status");
  if (!status) { return; }
  const poll = function () {
    fetch(status.dataset.statusUrl, {credentials: "same-origin"})
      .then(function (response) { return response.json(); })
      .then(function (body) {
        if (body.status === "done" || body.status === "failed") {
          // Announce the new status (aria-live) before the page reloads with the result.
          status.textContent = body.status_display;
          setTimeout(function () { window.location.reload(); }, 800);
        }
        else { setTimeout(poll, 1500); }
      })
      .catch(function () { setTimeout(poll, 5000); });
  };
  setTimeout(poll, 1000);
})();
