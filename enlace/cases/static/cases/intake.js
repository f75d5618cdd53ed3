// The intake form, keyboard first: show only the fields of the chosen kind, start on the first
// field, and register with Ctrl+Enter from anywhere in the form. Without this script every
// field shows and the form still works.
(function () {
  "use strict";
  const form = document.getElementById("intake");
  if (!form) return;
  function currentKind() {
    const checked = form.querySelector("input[name=kind]:checked");
    return checked ? checked.value : "consulta";
  }
  function sync() {
    const kind = currentKind();
    form.querySelectorAll("[data-kind]").forEach(function (el) {
      el.hidden = el.dataset.kind !== kind;
    });
    const answered = form.querySelector("input[name=answered_at_first_contact]");
    const answer = form.querySelector("[name=answer]");
    if (answered && answer) {
      answer.closest(".field").hidden = kind !== "consulta" || !answered.checked;
    }
  }
  form.addEventListener("change", sync);
  form.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  form.addEventListener("submit", function () {
    // A second click while the first post travels does nothing (the server also ignores a
    // repeated form by its token).
    form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
  });
  sync();
  const firstError = form.querySelector(".has-error input, .has-error select, .has-error textarea");
  (firstError || form.querySelector("input[name=kind]:checked")).focus();
})();
