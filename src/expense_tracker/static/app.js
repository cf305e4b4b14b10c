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

// ---- Offline: the service worker, and expenses kept on this device until they are stored.
//
// Every expense a form with data-offline-queue saves is first written to this browser's
// IndexedDB, with an id made here, and then sent; it leaves the queue only once the server
// has answered that it is stored. Sent twice (the answer was lost), it is stored once: the
// server keeps the id. A form with data-offline-queue="offline" (the dashboard's) is sent
// as usual while the browser is online, and queued only when it is not.
const signedInUser = document.body.dataset.user;
if (document.body.hasAttribute("data-signed-out") && window.caches) {
  // Nobody is signed in: the pages kept for offline use were someone's; forget them.
  caches.delete("pages");
}
if (signedInUser && "serviceWorker" in navigator && document.body.dataset.serviceWorker) {
  navigator.serviceWorker.register(document.body.dataset.serviceWorker, { scope: "/" })
    .catch(() => {});
}

const QUEUE_FIELDS = ["date", "amount", "category", "description", "chip", "pick_category", "new_category"];
const queueBox = document.querySelector("[data-queue]");

function deviceId() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
document.querySelectorAll("input[data-client-id]").forEach((input) => { input.value = deviceId(); });

function openQueue() {
  return new Promise((resolve, reject) => {
    const opening = indexedDB.open("expense-tracker", 1);
    opening.onupgradeneeded = () => opening.result.createObjectStore("queue", { keyPath: "client_id" });
    opening.onsuccess = () => resolve(opening.result);
    opening.onerror = () => reject(opening.error);
  });
}

// Run `work` on the queue's store in one transaction; resolve with what its last request
// gave once the transaction is committed (so a written expense is on disk).
async function inQueue(mode, work) {
  const database = await openQueue();
  return new Promise((resolve, reject) => {
    const transaction = database.transaction("queue", mode);
    const request = work(transaction.objectStore("queue"));
    transaction.oncomplete = () => { database.close(); resolve(request.result); };
    transaction.onerror = () => { database.close(); reject(transaction.error); };
    transaction.onabort = () => { database.close(); reject(transaction.error); };
  });
}
const keep = (record) => inQueue("readwrite", (store) => store.put(record));
const forget = (clientId) => inQueue("readwrite", (store) => store.delete(clientId));
const kept = async () => (await inQueue("readonly", (store) => store.getAll()))
  .filter((record) => record.user === signedInUser)
  .sort((a, b) => a.made - b.made);

// The words that name a kept expense: "4.50 in Groceries, 2026-12-02 (lunch)".
function keptWords(record) {
  const fields = record.fields;
  const category = fields.pick_category || fields.category || fields.chip || "no category";
  const description = fields.description ? ` (${fields.description})` : "";
  return `${fields.amount || "no amount"} in ${category}, ${fields.date || "no date"}${description}`;
}

async function formToken() {
  try {
    const response = await fetch(queueBox.dataset.queue, { headers: { Accept: "application/json" } });
    if (!response.ok || response.redirected || !isJson(response)) return null;
    return (await response.json()).csrf_token;
  } catch (error) {
    return null;
  }
}
const isJson = (response) => (response.headers.get("Content-Type") || "").includes("application/json");

// Send one kept expense. "stored" (or stored before), "refused" with the server's reason,
// or "later": offline, signed out, or a server that could not answer now.
async function send(record, token) {
  const body = new URLSearchParams(record.fields);
  body.set("client_id", record.client_id);
  body.set("csrf_token", token);
  let response;
  try {
    response = await fetch(queueBox.dataset.queue, {
      method: "POST", body, headers: { Accept: "application/json" }, signal: AbortSignal.timeout(20000),
    });
  } catch (error) {
    return { outcome: "later" };
  }
  if (!isJson(response) || response.redirected) return { outcome: "later" };
  const answer = await response.json();
  if (response.ok) return { outcome: "stored", next: answer.next, words: answer.stored };
  if (response.status === 400) return { outcome: "refused", reason: answer.message };
  return { outcome: "later" };
}

let sendingKept = null;
let sentNow = 0;
let justKept = null;
// Send every kept expense not refused before, oldest first, stopping at the first that
// must wait; then say what is kept. One run at a time.
function sendKept() {
  if (!sendingKept) {
    sendingKept = (async () => {
      const waiting = (await kept()).filter((record) => !record.refused);
      if (waiting.length && navigator.onLine) {
        const token = await formToken();
        for (const record of token ? waiting : []) {
          const answer = await send(record, token);
          if (answer.outcome === "later") break;
          if (answer.outcome === "stored") {
            await forget(record.client_id);
            sentNow += 1;
          } else {
            await keep({ ...record, refused: answer.reason });
          }
        }
      }
      await showKept();
    })().finally(() => { sendingKept = null; });
  }
  return sendingKept;
}

async function showKept() {
  if (!queueBox) return;
  const records = await kept();
  const waiting = records.filter((record) => !record.refused).length;
  const refused = records.filter((record) => record.refused);
  const parts = [];
  if (justKept && records.some((record) => record.client_id === justKept.client_id && !record.refused)) {
    parts.push(`Kept on this device: ${keptWords(justKept)}.`);
  }
  const expenses = (count) => `${count} ${count === 1 ? "expense" : "expenses"}`;
  if (sentNow) parts.push(`Sent ${expenses(sentNow)} kept on this device.`);
  if (waiting) {
    parts.push(`${expenses(waiting)} on this device, waiting to be sent` +
      (navigator.onLine ? "." : " when you are online."));
  }
  queueBox.querySelector(".queue-count").textContent = parts.join(" ");
  const list = queueBox.querySelector(".queue-refused");
  list.replaceChildren(...refused.map((record) => {
    const item = document.createElement("li");
    const words = document.createElement("p");
    words.id = `kept-${record.client_id}`;
    words.textContent = `Not stored: ${keptWords(record)}. ${record.refused}`;
    const fix = document.createElement("a");
    fix.setAttribute("aria-describedby", words.id);
    fix.className = "button button-small";
    fix.textContent = "Fix";
    const address = new URL(queueBox.dataset.fix, window.location.href);
    for (const name of ["date", "amount", "description"]) {
      if (record.fields[name]) address.searchParams.set(name, record.fields[name]);
    }
    address.searchParams.set("category", record.fields.pick_category || record.fields.category || record.fields.chip || "");
    fix.href = address.href;
    // Fixing moves it into the form, to be saved from there.
    fix.addEventListener("click", async (event) => {
      event.preventDefault();
      await forget(record.client_id);
      window.location.assign(fix.href);
    });
    const discard = document.createElement("button");
    discard.type = "button";
    discard.className = "button button-small button-quiet";
    discard.textContent = "Discard";
    discard.setAttribute("aria-describedby", words.id);
    discard.addEventListener("click", async () => {
      if (!window.confirm(`Discard ${keptWords(record)}?`)) return;
      await forget(record.client_id);
      showKept();
    });
    item.append(words, fix, " ", discard);
    return item;
  }));
  queueBox.hidden = !(parts.length || refused.length);
}

// Ready for the next expense: the amount and description cleared, the date kept.
function readyForNext(form) {
  for (const name of ["amount", "category", "description"]) {
    if (form.elements[name]) form.elements[name].value = "";
  }
  form.querySelectorAll("input[name='chip']").forEach((chip) => { chip.checked = false; });
  form.querySelector("input[data-client-id]").value = deviceId();
  form.elements.amount.focus();
}

document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (!form.matches("form[data-offline-queue]") || event.defaultPrevented) return;
  if (!queueBox || !signedInUser || !window.indexedDB || form.dataset.sendAsForm) return;
  if (form.dataset.offlineQueue === "offline" && navigator.onLine) return;
  event.preventDefault();
  const data = new FormData(form, event.submitter);
  const fields = {};
  for (const name of QUEUE_FIELDS) {
    if (data.get(name)) fields[name] = data.get(name);
  }
  const record = { client_id: data.get("client_id"), user: signedInUser, fields, made: Date.now() };
  try {
    await keep(record);  // on this device before anything is sent
  } catch (error) {
    // This browser keeps nothing (storage full or refused): the form is sent as usual.
    form.dataset.sendAsForm = "yes";
    form.requestSubmit(event.submitter || undefined);
    return;
  }
  // The page's own form token serves (it lasts as long as the session).
  const token = form.elements.csrf_token.value;
  const answer = navigator.onLine ? await send(record, token) : { outcome: "later" };
  if (answer.outcome === "stored") {
    await forget(record.client_id);
    window.location.assign(answer.next);
  } else if (answer.outcome === "refused") {
    // Not stored, and the person is here: the form, sent as usual, shows why beside the fields.
    await forget(record.client_id);
    form.dataset.sendAsForm = "yes";
    form.requestSubmit(event.submitter || undefined);
  } else {
    justKept = record;
    readyForNext(form);
    showKept();
  }
});

if (queueBox && window.indexedDB) {
  // The page came from this device's cache (no connection): a date left at the day it was
  // kept becomes this device's today.
  const quick = document.querySelector("form[data-today]");
  if (quick && !navigator.onLine && !new URLSearchParams(window.location.search).has("date")) {
    const now = new Date();
    const today = `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, "0")}-${String(now.getDate()).padStart(2, "0")}`;
    if (quick.elements.date.value === quick.dataset.today) quick.elements.date.value = today;
  }
  window.addEventListener("online", sendKept);
  // Back to the app (a phone's screen turned on again): the connection may have returned.
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") sendKept();
  });
  window.addEventListener("offline", showKept);
  sendKept();
}
