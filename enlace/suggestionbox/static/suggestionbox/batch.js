// The transcription batch, keyboard first: start on the first row's text, Ctrl+Enter saves.
// Without this script the form works the same.
(function () {
  "use strict";
  const form = document.getElementById("box-batch");
  if (!form) return;
  form.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  form.addEventListener("submit", function () {
    form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
  });
  const first = form.querySelector(".has-error textarea, .has-error input, .has-error select") ||
    form.querySelector("textarea");
  if (first) first.focus();
})();
