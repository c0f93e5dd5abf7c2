// The review queue's "tick every link on this page": an enhancement, hidden without JavaScript.
const all = document.getElementById("select-all");
if (all) {
  const boxes = [...document.querySelectorAll('form.review input[name="link"]')];
  all.closest(".select-all").hidden = false;
  all.addEventListener("change", () => boxes.forEach((box) => { box.checked = all.checked; }));
  boxes.forEach((box) => box.addEventListener("change", () => {
    all.checked = boxes.every((b) => b.checked);
    all.indeterminate = !all.checked && boxes.some((b) => b.checked);
  }));
}
