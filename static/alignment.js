// The alignment page follows its job by itself. While the job waits or runs, it asks for the
// job's state every few seconds and moves the progress bar; once the job has finished or
// failed it puts the result in place (the page's own HTML, asked for again, so that there is
// one way of showing it) and stops asking. The state sentence is a live region changed only
// when the state changes: a screen reader hears "running", then "finished", not every
// percent. Without JavaScript the page's "Refresh" link does the same by hand.
// "Accept these times" and "Align again" send their form once, however often they are clicked.
(function () {
  "use strict";

  document.addEventListener("submit", (event) => {
    const form = event.target.closest("#alignment-accept, #alignment-retry");
    if (!form) return;
    if (form.dataset.sent) {
      event.preventDefault();
      return;
    }
    form.dataset.sent = "true";
    const button = form.querySelector("button[type=submit]");
    if (button) button.setAttribute("aria-disabled", "true");
  });

  const box = document.getElementById("alignment-job");
  if (!box || !box.dataset.statusUrl) return;
  const said = document.getElementById("alignment-state");
  const ASK_EVERY_MS = 3000;
  const AFTER_A_FAILURE_MS = 10000;

  function leaveTheProgress() {
    const progress = document.getElementById("alignment-progress");
    if (progress) progress.remove();
  }

  function showTheResult() {
    fetch(window.location.href, { credentials: "same-origin" })
      .then((answer) => (answer.ok ? answer.text() : Promise.reject(answer.status)))
      .then((html) => {
        const fresh = new DOMParser().parseFromString(html, "text/html");
        const job = fresh.getElementById("alignment-job");
        if (!job) throw new Error("no job on the page");
        leaveTheProgress();
        document.getElementById("alignment-result").replaceWith(
          document.adoptNode(fresh.getElementById("alignment-result")));
        said.textContent = fresh.getElementById("alignment-state").textContent;
        box.dataset.state = job.dataset.state;
      })
      .catch(() => window.location.reload());
  }

  function look() {
    fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then((answer) => (answer.ok ? answer.json() : Promise.reject(answer.status)))
      .then((found) => {
        if (!found.job) return;  // (the testimony's jobs are gone: nothing more to follow)
        if (!found.available) {  // the aligner was removed: the job waits for it, not for us
          leaveTheProgress();
          said.textContent = found.problem;
          return;
        }
        const bar = document.getElementById("alignment-bar");
        if (bar) {
          bar.value = found.job.progress;
          bar.textContent = Math.round(found.job.progress * 100) + "%";
        }
        if (found.job.state === "done" || found.job.state === "failed") {
          showTheResult();
          return;
        }
        box.dataset.state = found.job.state;
        // (changed only when the sentence does: a new state, or the job waiting too long)
        if (said.textContent !== found.job.said) said.textContent = found.job.said;
        window.setTimeout(look, ASK_EVERY_MS);
      })
      .catch(() => window.setTimeout(look, AFTER_A_FAILURE_MS));
  }

  window.setTimeout(look, ASK_EVERY_MS);
})();
