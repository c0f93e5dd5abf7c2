// "Copy" beside each citation: an enhancement. Without JavaScript the buttons stay hidden
// and the citation is text to select. The page gives the words in its own language.
// The citation goes on the clipboard as HTML and as plain text, so that a word processor
// keeps its italics and a plain-text field gets the words; where the browser cannot write
// both (no ClipboardItem, or it refuses), the plain text alone.
async function copyCitation(source) {
  const text = source.textContent.trim();
  if (typeof ClipboardItem !== "undefined" && navigator.clipboard.write) {
    try {
      const html = source.innerHTML.trim();
      await navigator.clipboard.write([
        new ClipboardItem({
          "text/html": new Blob([html], { type: "text/html" }),
          "text/plain": new Blob([text], { type: "text/plain" }),
        }),
      ]);
      return;
    } catch {
      // fall back to the plain text below
    }
  }
  await navigator.clipboard.writeText(text);
}

document.querySelectorAll("button.copy[data-copy]").forEach((button) => {
  const source = document.getElementById(button.dataset.copy);
  if (!source || !navigator.clipboard) return;
  const label = button.textContent;
  button.hidden = false;
  button.addEventListener("click", async () => {
    try {
      await copyCitation(source);
      button.textContent = button.dataset.copied;
    } catch {
      button.textContent = button.dataset.failed;
    }
    setTimeout(() => { button.textContent = label; }, 2500);
  });
});
