// Outreach pages on a weak signal and the household's approximate location.
//
// Forms marked data-keep="key" keep what was typed in sessionStorage (this tab only) and send
// in the background: when the connection drops, the page stays as it is, says so, and offers to
// try again. Without JavaScript the forms post as usual.
//
// The location is read only after the household agrees (the checkbox) and the worker taps the
// button; it is rounded to 3 decimals (about 100 m) before it is put in the form, and it goes
// only to this server.
(function () {
  "use strict";

  var SKIP = { csrf_token: true, latitude: true, longitude: true };

  function fields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && !SKIP[el.name] && el.type !== "submit" && el.type !== "button" && el.type !== "hidden";
    });
  }

  function save(form, key) {
    var data = {};
    fields(form).forEach(function (el) {
      if (el.type === "radio" || el.type === "checkbox") {
        if (el.checked) { data[el.name] = el.value; }
      } else {
        data[el.name] = el.value;
      }
    });
    try { sessionStorage.setItem(key, JSON.stringify(data)); } catch (e) { /* storage full or off */ }
  }

  function restore(form, key) {
    var raw = null;
    try { raw = sessionStorage.getItem(key); } catch (e) { return; }
    if (!raw) { return; }
    var data = JSON.parse(raw);
    fields(form).forEach(function (el) {
      if (!(el.name in data)) { return; }
      if (el.type === "radio" || el.type === "checkbox") {
        el.checked = el.value === data[el.name];
      } else if (!el.value || el.defaultValue === el.value) {
        el.value = data[el.name];
      }
    });
  }

  function keep(form) {
    var key = "fd-keep:" + form.getAttribute("data-keep");
    var offline = document.querySelector("[data-offline]");
    var sending = false;
    restore(form, key);
    form.addEventListener("input", function () { save(form, key); });
    form.addEventListener("change", function () { save(form, key); });
    form.addEventListener("submit", function (event) {
      if (!window.fetch || !window.FormData) { return; }  // the plain post
      event.preventDefault();
      if (sending) { return; }
      sending = true;
      save(form, key);
      var body = new FormData(form);
      if (event.submitter && event.submitter.name) { body.append(event.submitter.name, event.submitter.value); }
      fetch(form.action, { method: "POST", body: body, credentials: "same-origin",
                           headers: { "X-Background-Send": "1" } })
        .then(function (response) {
          sending = false;
          var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
          if (response.ok && (json || response.redirected)) {
            try { sessionStorage.removeItem(key); } catch (e) { /* nothing kept */ }
            // A page that says where to go next (keeping its message for that page), or a redirect.
            return json ? response.json().then(function (data) { window.location.assign(data.next); })
              : window.location.assign(response.url);
          }
          form.submit();  // the server's own answer (a kind error that keeps the input)
        })
        .catch(function () {
          sending = false;
          if (offline) {
            offline.hidden = false;
            offline.focus();
          }
        });
    });
  }

  function geo(box) {
    if (!navigator.geolocation) { return; }
    var form = box.closest("form");
    var consent = box.querySelector("[data-geo-consent]");
    var button = box.querySelector("[data-geo-button]");
    var status = box.querySelector("[data-geo-status]");
    box.hidden = false;
    consent.addEventListener("change", function () {
      button.disabled = !consent.checked;
      if (!consent.checked) {
        form.elements.latitude.value = "";
        form.elements.longitude.value = "";
        status.textContent = "";
      }
    });
    button.addEventListener("click", function () {
      if (!consent.checked) { return; }
      navigator.geolocation.getCurrentPosition(function (position) {
        form.elements.latitude.value = position.coords.latitude.toFixed(3);
        form.elements.longitude.value = position.coords.longitude.toFixed(3);
        status.textContent = status.getAttribute("data-done");
      }, function () {
        status.textContent = status.getAttribute("data-failed");
      }, { enableHighAccuracy: false, timeout: 15000, maximumAge: 300000 });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-keep]"), keep);
    Array.prototype.forEach.call(document.querySelectorAll("[data-geo]"), geo);
  });
}());
