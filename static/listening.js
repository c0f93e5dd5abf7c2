// Reading in step with the recording. Without JavaScript each passage's time is a link that
// opens the recording at that moment (#t=); with it, the link moves the page's own player
// there and plays, and while the recording plays the passage being heard is marked (class
// "heard", aria-current). The page follows it only while the reader is following too: once
// they scroll away, it stays where they are. Nothing plays until the reader asks. Going to a
// search match readies the player at its passage; an archivist's "this passage starts here"
// sends the player's time.
(function () {
  const player = document.getElementById("recording-player");
  if (!player) return;
  const passages = Array.from(document.querySelectorAll(".passage[data-start]"));
  const starts = passages.map((p) => parseFloat(p.dataset.start));
  const calm = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  let heard = document.querySelector(".passage.heard");

  function onScreen(element) {
    const box = element.getBoundingClientRect();
    return box.bottom > 0 && box.top < window.innerHeight;
  }

  function passageAt(seconds) {
    let found = null;
    for (let i = 0; i < starts.length && starts[i] <= seconds; i++) found = passages[i];
    return found;
  }

  function mark(passage, follow) {
    if (passage === heard) return;
    const wasFollowed = heard !== null && onScreen(heard);
    if (heard) {
      heard.classList.remove("heard");
      heard.removeAttribute("aria-current");
    }
    heard = passage;
    if (!passage) return;
    passage.classList.add("heard");
    passage.setAttribute("aria-current", "true");
    if (follow && wasFollowed && !onScreen(passage)) {
      passage.scrollIntoView({ block: "nearest", behavior: calm ? "auto" : "smooth" });
    }
  }

  function seek(seconds) {
    if (player.readyState >= 1) player.currentTime = seconds;
    else player.addEventListener("loadedmetadata", () => { player.currentTime = seconds; }, { once: true });
  }

  player.addEventListener("timeupdate", () => {
    if (!player.paused) mark(passageAt(player.currentTime), true);
  });

  document.addEventListener("click", (event) => {
    const link = event.target.closest("a.listen[data-start]");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    const seconds = parseFloat(link.dataset.start);
    mark(link.closest(".passage"), false);
    seek(seconds);
    player.play().catch(() => {});  // the reader asked: a refused play leaves the player ready
  });

  // A link to a moment (?t=95) readies the player there and marks the passage; it does not play.
  const moment = parseFloat(player.dataset.moment);
  if (!Number.isNaN(moment)) {
    seek(moment);
    const passage = passageAt(moment);
    mark(passage, false);
    if (passage && !location.hash) passage.scrollIntoView({ block: "center" });
  }

  // Search matches and the player together: going to a match (previous / next, or an address
  // with ?q= and #p-N) readies the player at that passage's start, without playing.
  function readyAt(anchor) {
    // a match (#match-2) or a passage (#p-3): the timed passage that holds it
    const target = anchor && document.getElementById(anchor);
    const passage = target && target.closest(".passage[data-start]");
    if (!passage) return;
    seek(parseFloat(passage.dataset.start));
    mark(passage, false);
  }
  document.addEventListener("click", (event) => {
    const link = event.target.closest(".match-nav a, .in-testimony a");
    if (!link || link.origin !== location.origin || link.pathname !== location.pathname) return;
    if (link.search.replace(/[?&]page=\d+/, "") !== location.search.replace(/[?&]page=\d+/, "")) return;
    readyAt(decodeURIComponent(link.hash.slice(1)));
  });
  if (Number.isNaN(moment) && new URLSearchParams(location.search).get("q") && location.hash) {
    readyAt(decodeURIComponent(location.hash.slice(1)));
  }

  // "This passage starts here" (archivists): the button sends the player's time.
  for (const form of document.querySelectorAll("form.starts-here")) {
    form.hidden = false;
    form.addEventListener("submit", () => {
      form.elements.start.value = player.currentTime.toFixed(3);
    });
  }
})();
