// Choosing an answer template fills the answer of its form with the text rendered for this
// case (in a <script type="application/json"> beside the form). Without this script the
// template choice does nothing and the answer is typed by hand.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    const select = event.target;
    if (!select.matches || !select.matches("select[data-answer-templates]")) return;
    const form = select.closest("form");
    const data = form && form.querySelector("script[type='application/json']");
    const answer = form && form.querySelector("textarea[name=answer]");
    if (!data || !answer || !select.value) return;
    const texts = JSON.parse(data.textContent);
    if (texts[select.value] !== undefined) {
      answer.value = texts[select.value];
      answer.focus();
    }
  });
})();
