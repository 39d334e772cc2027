// Refresh the queue page every minute, unless the person is typing or choosing a filter.
(function () {
  "use strict";
  var box = document.getElementById("queue");
  if (!box) { return; }
  var url = box.getAttribute("data-refresh-url");
  var seconds = parseInt(box.getAttribute("data-refresh-seconds"), 10) || 60;
  function busy() {
    var el = document.activeElement;
    return el && (el.tagName === "SELECT" || el.tagName === "INPUT" || el.tagName === "TEXTAREA");
  }
  window.setInterval(function () {
    if (!busy() && document.visibilityState !== "hidden") { window.location.replace(url); }
  }, seconds * 1000);
}());
