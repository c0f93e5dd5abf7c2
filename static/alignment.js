// The alignment page follows its job: while it is queued or running, ask for its state
// every few seconds and reload the page when it has finished. Without JavaScript the
// page's "Refresh" link does the same.
(function () {
  "use strict";
  var box = document.getElementById("alignment-progress");
  if (!box) return;
  var state = box.getAttribute("data-state");
  if (state !== "queued" && state !== "running") return;
  var bar = document.getElementById("alignment-bar");
  function look() {
    fetch(box.getAttribute("data-status-url"), { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (answer) { return answer.ok ? answer.json() : null; })
      .then(function (found) {
        if (!found || !found.job) return;
        if (bar) bar.value = found.job.progress;
        if (found.job.state !== state) { window.location.reload(); return; }
        window.setTimeout(look, 3000);
      })
      .catch(function () { window.setTimeout(look, 10000); });
  }
  window.setTimeout(look, 3000);
})();
