// Show-if conditions, live: a question with data-show-if="code" data-show-values="a b" is
// shown while the question `code` has one of those values (checked, or typed). Without this
// script every question shows, and the server ignores the answers of hidden ones.
(function () {
  "use strict";
  function valuesOf(form, code) {
    var found = [];
    form.querySelectorAll('[name="' + code + '"]').forEach(function (input) {
      if ((input.type === "radio" || input.type === "checkbox") ? input.checked : input.value) {
        found.push(input.value);
      }
    });
    return found;
  }
  function apply(form) {
    form.querySelectorAll("[data-show-if]").forEach(function (box) {
      var parent = form.querySelector('[data-code="' + box.dataset.showIf + '"]');
      var wanted = box.dataset.showValues.split(" ");
      var given = parent && !parent.hidden ? valuesOf(form, box.dataset.showIf) : [];
      box.hidden = !given.some(function (value) { return wanted.indexOf(value) >= 0; });
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-questionnaire]").forEach(function (form) {
      apply(form);
      form.addEventListener("change", function () { apply(form); });
    });
  });
})();
