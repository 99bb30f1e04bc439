// Keeps the scanner page itself available offline: the page, its modules, the sign-in
// module (libs/web/signin.js, with keycloak-js) and the vendored libraries are cached;
// API calls (/v1/…) always go to the network, the page's own queue handles those (and
// signin.js keeps what it needs of /v1/auth). Network first, so a deployment shows up
// at once.
const CACHE = "kb-scanner-v6";
const FILES = ["/", "/static/app.js", "/static/api.js", "/static/camera.js", "/static/i18n.js",
  "/static/qr-token.js", "/static/queue.js", "/static/render.js", "/static/style.css",
  "/static/vendor/jsQR.js", "/static/vendor/noble-ed25519.js", "/shared/i18n.js", "/shared/vn-time.js", "/shared/icon.svg",
  "/shared/signin.js", "/shared/vendor/keycloak.js"];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(FILES)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((names) => Promise.all(names.filter((n) => n !== CACHE).map((n) => caches.delete(n))))
    .then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== location.origin || url.pathname.startsWith("/v1/")) return;
  const key = url.pathname === "/" ? "/" : url.pathname;
  event.respondWith(fetch(event.request)
    .then((response) => {
      if (response.ok) caches.open(CACHE).then((cache) => cache.put(key, response.clone()));
      return response;
    })
    .catch(() => caches.match(key).then((hit) => hit || Response.error())));
});
