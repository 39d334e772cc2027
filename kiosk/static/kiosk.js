// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  var exit = document.getElementById("quick-exit");
  if (exit) {
    // Replace the current history entry, so "back" does not return to the intake.
    exit.addEventListener("click", function (event) {
      event.preventDefault();
      window.location.replace(exit.href);
    });
  }
  var dialog = document.getElementById("idle-warning");
  if (!dialog) { return; }
  var idle = parseInt(dialog.getAttribute("data-idle"), 10) * 1000;
  var warning = parseInt(dialog.getAttribute("data-warning"), 10);
  var count = document.getElementById("idle-count");
  var stay = document.getElementById("idle-stay");
  var tokenTag = document.querySelector('meta[name="csrf-token"]');
  var idleTimer = null;
  var tick = null;
  var left = 0;
  var lastPing = Date.now();
  var opener = null;

  function ping() {
    lastPing = Date.now();
    var body = new FormData();
    body.append("csrf_token", tokenTag ? tokenTag.content : "");
    fetch(dialog.getAttribute("data-ping"), { method: "POST", body: body, credentials: "same-origin" })
      .catch(function () { /* offline: the next page load will tell */ });
  }
  function showCount() {
    count.textContent = count.getAttribute("data-template").replace("__N__", String(left));
  }
  function reset() {
    window.location.replace(dialog.getAttribute("data-reset"));
  }
  function warn() {
    opener = document.activeElement;
    left = warning;
    showCount();
    dialog.hidden = false;
    stay.focus();
    tick = window.setInterval(function () {
      left -= 1;
      if (left <= 0) { window.clearInterval(tick); reset(); return; }
      showCount();
    }, 1000);
  }
  function restart() {
    window.clearTimeout(idleTimer);
    idleTimer = window.setTimeout(warn, idle);
  }
  function activity() {
    if (!dialog.hidden) { return; }
    restart();
    if (Date.now() - lastPing > 30000) { ping(); }
  }
  stay.addEventListener("click", function () {
    window.clearInterval(tick);
    dialog.hidden = true;
    ping();
    restart();
    if (opener && opener.focus) { opener.focus(); }
  });
  ["pointerdown", "keydown", "input", "scroll"].forEach(function (name) {
    document.addEventListener(name, activity, { passive: true });
  });
  restart();
})();
