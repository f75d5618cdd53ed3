// The intake form, keyboard first: show only the fields of the chosen kind and mark those it
// requires, start on the caller's name, and register with Ctrl+Enter from anywhere in the
// form. Without this script every field shows and the form still works.
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
    // What the chosen kind requires is marked (and said to screen readers).
    form.querySelectorAll("[data-required-for]").forEach(function (el) {
      const required = el.dataset.requiredFor === kind;
      el.classList.toggle("required", required);
      el.querySelectorAll("input, select, textarea").forEach(function (input) {
        if (required) input.setAttribute("aria-required", "true");
        else input.removeAttribute("aria-required");
      });
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
  // The caller's name first ("¿con quién tengo el gusto?"), unless it came filled in (the
  // intake opened from a call): then the kind.
  const name = form.querySelector("input[name=citizen_name]");
  const kind = form.querySelector("input[name=kind]:checked");
  (firstError || (name && !name.value ? name : kind)).focus();
})();
