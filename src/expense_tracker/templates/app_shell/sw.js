// Expense Tracker's service worker: with no connection, the app's files and the last quick
// add and dashboard pages come from this browser's cache. Expenses added meanwhile wait in
// the page's own queue (app.js), which sends them when the connection returns.
"use strict";

const VERSION = {{ version | tojson }};
const ASSETS = {{ assets | tojson }};
const PAGES = {{ pages | tojson }};
const ASSET_CACHE = `assets-${VERSION}`;
// One copy of each page, the last one loaded; forgotten at log-out (app.js).
const PAGE_CACHE = "pages";

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(ASSET_CACHE)
      .then((cache) => cache.addAll(ASSETS))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(
        names.filter((name) => name.startsWith("assets-") && name !== ASSET_CACHE)
          .map((name) => caches.delete(name)),
      ))
      .then(() => self.clients.claim())
      .then(keepPages),
  );
});

// Keep quick add and the dashboard at once, not only from their next visit: the service
// worker is installed from a signed-in page, and the header asks for this person's page or
// none: a session that has just ended gets a 401, which is not kept.
async function keepPages() {
  const cache = await caches.open(PAGE_CACHE);
  await Promise.all(PAGES.map(async (path) => {
    try {
      const response = await fetch(path, {
        redirect: "manual",
        credentials: "same-origin",
        headers: { "X-Offline-Copy": "1" },
      });
      if (response.ok && response.type === "basic") await cache.put(path, response);
    } catch (error) {
      // Offline already: kept at the next visit.
    }
  }));
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && PAGES.includes(url.pathname)) {
    event.respondWith(page(request, url));
  } else if (ASSETS.includes(url.pathname)) {
    event.respondWith(asset(request, url));
  }
});

// A page from the network when there is one (kept, if it is the page as it opens, for
// later); from the cache when there is none, whatever its query.
async function page(request, url) {
  const cache = await caches.open(PAGE_CACHE);
  try {
    const response = await fetch(request);
    // A redirect (to log in, say) comes back opaque, not ok, and is not kept.
    if (response.ok && response.type === "basic" && url.search === "") {
      await cache.put(url.pathname, response.clone());
    }
    return response;
  } catch (error) {
    const kept = await cache.match(url.pathname);
    if (kept) return kept;
    return new Response(
      "<!doctype html><meta charset=utf-8><meta name=viewport content='width=device-width'>" +
        "<title>Offline · Expense Tracker</title><p>You are offline, and this page was not " +
        "kept on this device.</p><p><a href='" + PAGES[0] + "'>Quick add</a></p>",
      { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } },
    );
  }
}

// The app's files: fresh from the network when there is one, else as kept at install.
async function asset(request, url) {
  try {
    return await fetch(request);
  } catch (error) {
    const kept = await caches.match(url.pathname, { cacheName: ASSET_CACHE });
    if (kept) return kept;
    throw error;
  }
}
