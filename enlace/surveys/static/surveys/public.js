// The public questionnaire works without JavaScript (every question shows; the server ignores
// the answers of questions hidden by their condition). This shows a question only while the
// earlier answer it depends on is one of its values, disables the inputs of a hidden question
// so they are not sent, prints the poster, and keeps a second click from sending twice.
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn);
  }
  ready(function () {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
    var form = document.getElementById("survey-form");
    if (!form) return;
    var dependents = Array.prototype.slice.call(form.querySelectorAll("[data-show-if]"));

    function valuesOf(code) {
      var values = [];
      form.querySelectorAll("[name='" + code + "']").forEach(function (input) {
        if (input.disabled) return;
        if (input.type === "radio" || input.type === "checkbox") {
          if (input.checked) values.push(input.value);
        } else if (input.value.trim()) {
          values.push(input.value.trim());
        }
      });
      return values;
    }

    function sync() {
      // In document order: a question's condition is on an earlier one, settled before it.
      dependents.forEach(function (box) {
        var wanted;
        try { wanted = JSON.parse(box.getAttribute("data-show-values") || "[]"); } catch (e) { wanted = []; }
        var given = valuesOf(box.getAttribute("data-show-if"));
        var show = given.some(function (value) { return wanted.indexOf(value) !== -1; });
        box.hidden = !show;
        box.querySelectorAll("input, textarea, select").forEach(function (input) { input.disabled = !show; });
      });
    }
    form.addEventListener("change", sync);
    form.addEventListener("input", sync);
    sync();

    form.addEventListener("submit", function () {
      var button = form.querySelector("button[type=submit]");
      window.setTimeout(function () { if (button) button.disabled = true; }, 0);
    });
  });
})();
