// A form that comes back with problems: move the focus to the list of them, so that a
// keyboard or screen-reader user starts there (each problem links to its field).
const problems = document.getElementById("problems");
if (problems) {
  problems.focus();
}
