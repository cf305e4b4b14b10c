// Ask before a destructive form is sent. A form, or the button that sends it, opts in with
// data-confirm="question", or with data-confirm-described to ask "Delete <its description>?"
// using the element its aria-describedby names (one description serves screen readers and this).
function question(element) {
  if (!element) return null;
  if (element.dataset.confirm) return element.dataset.confirm;
  if ("confirmDescribed" in element.dataset) {
    const description = document.getElementById(element.getAttribute("aria-describedby"));
    return `${element.textContent.trim()} ${description.textContent.trim()}?`;
  }
  return null;
}

document.addEventListener("submit", (event) => {
  const asked = question(event.submitter) || question(event.target);
  if (asked && !window.confirm(asked)) {
    event.preventDefault();
  }
});
