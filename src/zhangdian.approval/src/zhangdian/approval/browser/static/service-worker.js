// The portal's service worker (不打烊移动审批): it keeps the app shell - style sheet, script,
// icons and the offline page - and nothing else. Case pages, decisions, REST answers and every
// authenticated response always come from the network; when the network is gone a page
// request gets the offline page, never an old copy of a case.
"use strict";

const SHELL_CACHE = "zd-shell-v1";
const BASE = new URL("./", self.location).pathname;
const OFFLINE_PAGE = BASE + "@@offline";
const SHELL = [
  OFFLINE_PAGE,
  BASE + "++plone++zhangdian.approval/desk.css",
  BASE + "++plone++zhangdian.approval/decision-signing.js",
  BASE + "++plone++zhangdian.approval/icon-192.png",
  BASE + "++plone++zhangdian.approval/icon-512.png",
];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(SHELL_CACHE)
      .then((cache) => cache.addAll(SHELL.map((url) => new Request(url, { credentials: "omit" }))))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((key) => key !== SHELL_CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") {
    return;
  }
  const url = new URL(request.url);
  if (url.origin === self.location.origin && SHELL.includes(url.pathname)) {
    // The shell only: answered from the cache, which nothing but the install step fills.
    event.respondWith(caches.match(url.pathname).then((cached) => cached || fetch(request)));
    return;
  }
  if (request.mode === "navigate") {
    // Everything else goes to the network and is not stored; offline, the offline page.
    event.respondWith(fetch(request).catch(() => caches.match(OFFLINE_PAGE)));
  }
});
