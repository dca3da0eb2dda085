// Live job and batch pages: listen to the server's push channel (server-sent events fed from Redis
// pub/sub) and refresh the part of the page whose job changed (htmx trigger "job-changed").
// While `window.studioPushLive` is false the same parts are refreshed every second, so a page whose
// push channel is down (or not yet open) still follows its jobs. The timer lives here, not in an
// htmx trigger filter, because filters are evaluated as code, which the Content-Security-Policy
// forbids. No dependencies besides htmx.
(function () {
  "use strict";

  window.studioPushLive = false;

  function refresh(jobId) {
    var selector = jobId ? '[data-live-job="' + jobId + '"]' : "[data-live-job]";
    document.querySelectorAll(selector).forEach(function (element) {
      htmx.trigger(element, "job-changed");
    });
  }

  // A click is a press and a release on the same element. A refresh that replaced a live part
  // between the two would leave the release on a new element, and the click would land nowhere;
  // so a part under a pressed pointer is refreshed after the release instead. (A focused control
  // keeps its focus across a refresh by its id, which htmx restores.)
  var pressed = null;
  var deferred = [];
  document.addEventListener("pointerdown", function (event) {
    pressed = event.target;
  }, true);
  function released() {
    pressed = null;
    var parts = deferred;
    deferred = [];
    parts.forEach(function (part) {
      if (part.isConnected) htmx.trigger(part, "job-changed");
    });
  }
  document.addEventListener("pointerup", released, true);
  document.addEventListener("pointercancel", released, true);
  window.addEventListener("blur", released); // a release outside the window is never seen
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    var part = event.detail.elt;
    if (!pressed || !part.hasAttribute("data-live-job") || !part.contains(pressed)) return;
    event.detail.shouldSwap = false;
    if (deferred.indexOf(part) < 0) deferred.push(part);
  });

  var holder = document.querySelector("[data-live-events]");
  // The studio page's feed gains live cards whenever the person submits: it keeps listening.
  var persistent = holder && holder.hasAttribute("data-live-persistent");

  var polling = window.setInterval(function () {
    if (!persistent && !document.querySelector("[data-live-job]")) {
      return window.clearInterval(polling);
    }
    if (!window.studioPushLive) refresh(null);
  }, 1000);

  if (!holder || !window.EventSource) return;

  function setLive(live) {
    window.studioPushLive = live;
    document.body.dataset.push = live ? "live" : "polling";
  }

  var stream = new EventSource(holder.getAttribute("data-live-events"));
  stream.addEventListener("open", function () {
    setLive(true);
    refresh(null); // whatever changed before the stream opened
  });
  stream.addEventListener("error", function () {
    setLive(false); // polling resumes; EventSource retries unless the server refused (503)
  });
  stream.addEventListener("message", function (event) {
    try {
      refresh(JSON.parse(event.data).job);
    } catch (problem) {
      refresh(null);
    }
  });
  // A safety net: even with push, look every few seconds (an event may be lost in a reconnect).
  var safetyNet = window.setInterval(function () {
    if (window.studioPushLive) refresh(null);
  }, 5000);
  document.body.addEventListener("htmx:afterSettle", function () {
    if (persistent || document.querySelector("[data-live-job]")) return;
    stream.close(); // every job is final
    window.clearInterval(safetyNet);
  });
})();
