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

// Long work shows that it is under way. A button with data-busy="Importing 1,000 rows…"
// says so (in a live region) once its form is sent, and a second click sends nothing.
let sending = false;
document.addEventListener("submit", (event) => {
  if (event.defaultPrevented) return;
  const button = event.submitter;
  if (!button || !button.dataset.busy) return;
  if (sending) {
    event.preventDefault();
    return;
  }
  sending = true;
  button.setAttribute("aria-disabled", "true");
  button.classList.add("is-busy");
  const status = document.createElement("p");
  status.className = "busy-status";
  status.setAttribute("role", "status");
  button.closest("form").append(status);
  // Written a moment later, so screen readers announce the live region's change.
  window.setTimeout(() => { status.textContent = button.dataset.busy; }, 50);
});

// An upload form with data-upload-progress is sent with XMLHttpRequest, whose upload
// events fill its <progress>; without JavaScript the form posts as usual.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (event.defaultPrevented || !form.matches("form[data-upload-progress]")) return;
  const box = form.querySelector(".upload-progress");
  const bar = box && box.querySelector("progress");
  if (!bar || !window.FormData) return;
  event.preventDefault();
  const request = new XMLHttpRequest();
  request.open("POST", form.action);
  box.hidden = false;
  request.upload.addEventListener("progress", (progress) => {
    if (progress.lengthComputable) bar.value = Math.round((100 * progress.loaded) / progress.total);
  });
  request.addEventListener("load", () => {
    if (request.responseURL && request.responseURL !== form.action) {
      window.location.assign(request.responseURL);
      return;
    }
    document.open();
    document.write(request.responseText);
    document.close();
  });
  request.addEventListener("error", () => form.submit());
  request.send(new FormData(form));
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

// A link to copy and send that the server could only give as a path (it does not know its own
// address): the browser knows the address it is on, so it makes the link whole.
document.querySelectorAll("input[data-whole-link]").forEach((input) => {
  input.value = new URL(input.value, window.location.href).href;
  input.removeAttribute("aria-describedby");
  document.querySelectorAll("[data-whole-link-hint]").forEach((hint) => hint.remove());
});

// Quick add: a tap on a most-used category fills the Category field, and typing there
// marks the button of the same name (or none), so the two never disagree.
const quickCategory = document.querySelector(".quick-form #category");
if (quickCategory) {
  const chips = [...document.querySelectorAll(".quick-form input[name='chip']")];
  chips.forEach((chip) => {
    chip.addEventListener("change", () => { quickCategory.value = chip.value; });
  });
  quickCategory.addEventListener("input", () => {
    const typed = quickCategory.value.trim().toLowerCase();
    chips.forEach((chip) => { chip.checked = chip.value.toLowerCase() === typed; });
  });
}

// The dashboard's add form takes focus on a wide screen, where it is in view at once
// (on a phone it would scroll the page and open the keyboard: phones have quick add).
const focusWide = document.querySelector("form[data-focus-wide]");
if (focusWide && !document.querySelector("[autofocus]") && window.matchMedia("(min-width: 960px)").matches) {
  const target = focusWide.querySelector(focusWide.dataset.focusWide);
  if (target) target.focus();
}
