/* Optional helpers: quick exit with Esc, no stale pages from the back button, idle warning. */
(function () {
  "use strict";
  var bar = document.getElementById("fd");
  if (!bar) { return; }
  var exitUrl = bar.getAttribute("data-exit");
  var token = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

  function leave(event) {
    if (event) { event.preventDefault(); }
    window.location.replace(exitUrl);
  }
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { leave(event); }
  });
  Array.prototype.forEach.call(document.querySelectorAll("a.exit"), function (link) {
    link.addEventListener("click", leave);
  });
  var printButton = document.getElementById("print-confirmation");
  if (printButton && window.print) {
    printButton.hidden = false;
    printButton.addEventListener("click", function () { window.print(); });
  }
  // A page restored from the back-forward cache is fetched again (the server decides).
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) { window.location.reload(); }
  });

  var idle = parseInt(bar.getAttribute("data-idle"), 10);
  if (!idle) { return; }
  var warning = parseInt(bar.getAttribute("data-warning"), 10);
  var pingUrl = bar.getAttribute("data-ping");
  var dialog = document.getElementById("idle-dialog");
  var seconds = document.getElementById("idle-seconds");
  var resetForm = document.getElementById("reset-form");
  var idleTimer = null;
  var tick = null;
  var lastPing = Date.now();

  function ping() {
    lastPing = Date.now();
    if (window.fetch) {
      fetch(pingUrl, {method: "POST", credentials: "same-origin", headers: {"X-CSRFToken": token}});
    }
  }
  function arm() {
    window.clearTimeout(idleTimer);
    idleTimer = window.setTimeout(warn, idle * 1000);
  }
  function warn() {
    var left = warning;
    seconds.textContent = left;
    if (dialog.showModal) { dialog.showModal(); } else { dialog.setAttribute("open", ""); }
    tick = window.setInterval(function () {
      left -= 1;
      seconds.textContent = Math.max(left, 0);
      if (left <= 0) {
        window.clearInterval(tick);
        resetForm.submit();
      }
    }, 1000);
  }
  function stillHere() {
    window.clearInterval(tick);
    if (dialog.open) { dialog.close(); }
    ping();
    arm();
  }
  document.getElementById("still-here").addEventListener("click", stillHere);
  ["pointerdown", "keydown", "input", "touchstart"].forEach(function (name) {
    document.addEventListener(name, function () {
      if (dialog.open) { return; }
      arm();
      // Typing a long answer makes no request: tell the server the person is still here.
      if (Date.now() - lastPing > idle * 500) { ping(); }
    }, {passive: true});
  });
  dialog.addEventListener("cancel", function (event) { event.preventDefault(); });
  arm();
}());
