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

// Cards too costly for the first answer (the trend of a text or amount search) come as a link
// with data-fragment: fetch that address and put the card it answers in place of the link's.
document.querySelectorAll("a[data-fragment]").forEach(async (link) => {
  const card = link.closest("section");
  if (!card) return;
  card.setAttribute("aria-busy", "true");
  try {
    const response = await fetch(link.dataset.fragment, { credentials: "same-origin" });
    if (!response.ok || response.redirected) return;
    const parsed = new DOMParser().parseFromString(await response.text(), "text/html");
    const replacement = parsed.body.firstElementChild;
    if (replacement) card.replaceWith(document.importNode(replacement, true));
  } finally {
    card.removeAttribute("aria-busy");
  }
});
