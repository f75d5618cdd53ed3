// The case list's keyboard shortcuts (listed in the dialog that "?" opens): "/" searches,
// j / k move between the rows, o or Enter opens the case, x ticks it for a step on the
// selection. Keys typed into a field are the field's. The bulk form shows only the field its
// step needs. Without this script everything still works by Tab and the mouse.
(function () {
  "use strict";
  var current = -1;

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("#results table.cases tbody tr"));
  }

  function mark(index) {
    var all = rows();
    if (!all.length) return;
    current = Math.max(0, Math.min(index, all.length - 1));
    all.forEach(function (row, i) { row.classList.toggle("current", i === current); });
    var link = all[current].querySelector("a.code");
    if (link) link.focus();
  }

  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    var dialog = document.getElementById("shortcuts");
    if (event.key === "?") {
      if (dialog && !dialog.open) dialog.showModal();
      event.preventDefault();
    } else if (event.key === "/") {
      var search = document.getElementById("id_q");
      if (search) { search.focus(); search.select(); event.preventDefault(); }
    } else if (event.key === "j") {
      mark(current + 1); event.preventDefault();
    } else if (event.key === "k") {
      mark(current - 1); event.preventDefault();
    } else if (event.key === "o" && current >= 0) {
      var open = rows()[current] && rows()[current].querySelector("a.code");
      if (open) open.click();
    } else if (event.key === "x" && current >= 0) {
      var box = rows()[current] && rows()[current].querySelector("input[type=checkbox]");
      if (box) box.checked = !box.checked;
    }
  });

  function showStepFields() {
    var step = document.getElementById("id_step");
    if (!step) return;
    document.querySelectorAll("#bulk [data-step]").forEach(function (field) {
      field.hidden = field.getAttribute("data-step") !== step.value;
    });
  }

  document.addEventListener("change", function (event) {
    if (event.target && event.target.id === "id_step") showStepFields();
  });
  document.addEventListener("htmx:afterSwap", function () { current = -1; showStepFields(); });
  showStepFields();
})();
