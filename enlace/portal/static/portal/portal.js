// The public portal works without JavaScript; this only adds comfort: the topic shows for an
// inquiry, the contact fields hide for an anonymous message, the error summary takes the focus,
// the print button prints, and a second click does not send the form again.
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn);
  }
  ready(function () {
    var summary = document.getElementById("error-summary");
    if (summary) summary.focus();

    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });

    var form = document.getElementById("submit-form");
    if (!form) return;
    var topic = form.querySelector("[data-show-for]");
    function syncTopic() {
      var chosen = form.querySelector("input[name=what]:checked");
      if (topic) topic.hidden = !(chosen && chosen.value === topic.getAttribute("data-show-for"));
    }
    form.querySelectorAll("input[name=what]").forEach(function (radio) {
      radio.addEventListener("change", syncTopic);
    });
    syncTopic();

    var anonymous = form.querySelector("input[name=anonymous]");
    var identity = document.getElementById("identity");
    function syncIdentity() { if (anonymous && identity) identity.hidden = anonymous.checked; }
    if (anonymous) anonymous.addEventListener("change", syncIdentity);
    syncIdentity();

    form.addEventListener("submit", function () {
      var button = form.querySelector("button[type=submit]");
      window.setTimeout(function () { if (button) button.disabled = true; }, 0);
    });
  });
})();
