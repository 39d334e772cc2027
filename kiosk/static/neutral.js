/* On a shared tablet the neutral page goes back to the start screen after two minutes. */
(function () {
  "use strict";
  var heading = document.querySelector("[data-home]");
  if (heading) {
    window.setTimeout(function () { window.location.replace(heading.getAttribute("data-home")); }, 120000);
  }
}());
