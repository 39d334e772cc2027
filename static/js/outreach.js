// Outreach and assisted pages on a weak signal, and the household's approximate location.
//
// Forms marked data-send (and data-keep="key") are sent in the background: when the connection
// drops, the page stays as it is, says so ([data-offline]) and offers to try again
// ([data-retry]), which sends the same form with the same button. Forms marked data-keep="key"
// also keep what was typed in sessionStorage (this tab only, removed once sent), with the form's
// one-time submission key, so a page opened again sends under the same key. That key is what
// makes a "Try again" after a send that did reach the server harmless: the server returns what
// it saved the first time instead of saving it twice. Without JavaScript the forms post as usual.
//
// The location is read only after the household agrees (the checkbox) and the worker taps the
// button; it is rounded to 3 decimals (about 100 m) before it is put in the form, and it goes
// only to this server.
(function () {
  "use strict";

  var SKIP = { csrf_token: true, latitude: true, longitude: true };
  var KEY = "submission_key";
  var pending = null;  // the send that did not get through: {form, submitter, key}

  function fields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && !SKIP[el.name] && el.type !== "submit" && el.type !== "button" &&
        (el.type !== "hidden" || el.name === KEY);
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
      } else if (el.name === KEY || !el.value || el.defaultValue === el.value) {
        el.value = data[el.name];
      }
    });
  }

  function offline() {
    return document.querySelector("[data-offline]");
  }

  // The server's own answer to a form it did not take (a kind error that keeps the input): post
  // the form as usual, with the button that sent it.
  function post(form, submitter) {
    if (submitter && submitter.name) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = submitter.name;
      input.value = submitter.value;
      form.appendChild(input);
    }
    form.submit();
  }

  function send(form, submitter, key) {
    if (form.getAttribute("data-sending")) { return; }
    form.setAttribute("data-sending", "1");
    if (key) { save(form, key); }
    var box = offline();
    if (box) { box.hidden = true; }
    var body = new FormData(form);
    if (submitter && submitter.name) { body.append(submitter.name, submitter.value); }
    // Not form.action: a button named "action" (Next / Skip) shadows that property.
    var url = form.getAttribute("action") || window.location.pathname;
    fetch(url, { method: "POST", body: body, credentials: "same-origin",
                         headers: { "X-Background-Send": "1" } })
      .then(function (response) {
        form.removeAttribute("data-sending");
        pending = null;
        var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
        if (response.ok && (json || response.redirected)) {
          if (key) {
            try { sessionStorage.removeItem(key); } catch (e) { /* nothing kept */ }
          }
          // A page that says where to go next (keeping its message for that page), or a redirect.
          return json ? response.json().then(function (data) { window.location.assign(data.next); })
            : window.location.assign(response.url);
        }
        post(form, submitter);
      })
      .catch(function () {
        form.removeAttribute("data-sending");
        pending = { form: form, submitter: submitter, key: key };
        if (box) {
          box.hidden = false;
          box.focus();
        }
      });
  }

  function watch(form) {
    var key = form.hasAttribute("data-keep") ? "fd-keep:" + form.getAttribute("data-keep") : null;
    if (key) {
      restore(form, key);
      form.addEventListener("input", function () { save(form, key); });
      form.addEventListener("change", function () { save(form, key); });
    }
    form.addEventListener("submit", function (event) {
      if (!window.fetch || !window.FormData) { return; }  // the plain post
      event.preventDefault();
      send(form, event.submitter, key);
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
    // A page where a new household begins forgets what was kept for the last one.
    Array.prototype.forEach.call(document.querySelectorAll("[data-forget]"), function (el) {
      el.getAttribute("data-forget").split(" ").forEach(function (name) {
        try { sessionStorage.removeItem("fd-keep:" + name); } catch (e) { /* nothing kept */ }
      });
    });
    Array.prototype.forEach.call(document.querySelectorAll("form[data-keep], form[data-send]"), watch);
    Array.prototype.forEach.call(document.querySelectorAll("[data-retry]"), function (button) {
      button.addEventListener("click", function () {
        if (pending) { send(pending.form, pending.submitter, pending.key); }
      });
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-geo]"), geo);
    // Tells a test (or anyone looking) that a send that fails will now be kept and offered again.
    document.documentElement.setAttribute("data-keeps-sends", "");
  });
}());
