// A long testimony is read a page at a time. An address ending in #p-N for a passage on
// another page lands on that passage's entry in "Passages on the other pages" (which works
// without JavaScript: the browser opens the list there); this follows the entry's link, so
// that the reader arrives at the passage itself.
function followElsewhere() {
  const id = decodeURIComponent(location.hash.slice(1));
  const entry = id && document.getElementById(id);
  if (entry && entry.closest("details.elsewhere") && entry.href) location.replace(entry.href);
}
followElsewhere();
window.addEventListener("hashchange", followElsewhere);
