// The case page's box of steps as WAI-ARIA tabs: the list of steps is one Tab stop; the arrow
// keys, Home and End move along it and show each step's form (a roving tabindex); "More" shows
// the rare steps after it in the same list. Ctrl+Enter sends the form being written. Without
// this script the tabs are links and every form shows, one after another.
(function () {
  "use strict";
  // A boosted post swaps the page and htmx runs its scripts again: listen once.
  if (window.enlaceStepBox) return;
  window.enlaceStepBox = true;

  function setUp(box) {
    if (box.dataset.ready) return;
    box.dataset.ready = "1";
    const list = box.querySelector("[data-tablist]");
    const tabs = Array.prototype.slice.call(list.querySelectorAll("a[data-tab]"));
    const more = list.querySelector("a[data-more]");
    if (!tabs.length) return;

    list.setAttribute("role", "tablist");
    list.querySelectorAll("li").forEach(function (item) {
      item.setAttribute("role", "presentation");
    });
    tabs.forEach(function (tab) {
      const panel = document.getElementById(tab.getAttribute("href").slice(1));
      tab.id = "tab-" + tab.dataset.tab;
      tab.setAttribute("role", "tab");
      tab.setAttribute("aria-controls", panel.id);
      panel.setAttribute("role", "tabpanel");
      panel.setAttribute("aria-labelledby", tab.id);
    });
    box.classList.add("tabs-on");

    function panelOf(tab) {
      return document.getElementById(tab.getAttribute("aria-controls"));
    }
    function isRare(tab) {
      return tab.hasAttribute("data-rare");
    }
    function shown() {
      return tabs.filter(function (tab) { return !tab.parentElement.hidden; });
    }
    function select(tab, focus) {
      // The rare steps show while "More" or one of them is chosen.
      const open = tab === more || isRare(tab);
      tabs.forEach(function (other) {
        const chosen = other === tab;
        other.setAttribute("aria-selected", chosen ? "true" : "false");
        other.tabIndex = chosen ? 0 : -1;
        panelOf(other).hidden = !chosen;
        if (isRare(other)) other.parentElement.hidden = !open;
      });
      if (more) more.setAttribute("aria-expanded", open ? "true" : "false");
      if (focus) tab.focus();
    }
    function bySlug(slug) {
      return tabs.find(function (tab) { return tab.dataset.tab === slug; });
    }

    list.addEventListener("click", function (event) {
      const tab = event.target.closest("a[data-tab]");
      if (!tab) return;
      event.preventDefault();
      select(tab, true);
    });
    list.addEventListener("keydown", function (event) {
      const current = event.target.closest("a[data-tab]");
      if (!current || event.altKey || event.ctrlKey || event.metaKey) return;
      let visible = shown();
      let index = visible.indexOf(current);
      if (event.key === "ArrowRight") {
        index = (index + 1) % visible.length;
      } else if (event.key === "ArrowLeft") {
        index = (index - 1 + visible.length) % visible.length;
      } else if (event.key === "Home") {
        index = 0;
      } else if (event.key === "End") {
        index = visible.length - 1;
      } else if (event.key === " " || event.key === "Enter") {
        event.preventDefault();
        select(current, true);
        return;
      } else {
        return;
      }
      event.preventDefault();
      select(visible[index], true);
    });
    // "More"'s own panel lists the rare steps: choosing one opens its tab.
    box.addEventListener("click", function (event) {
      const link = event.target.closest("a[data-show]");
      if (!link) return;
      const tab = bySlug(link.dataset.show);
      if (!tab) return;
      event.preventDefault();
      select(tab, true);
    });
    box.addEventListener("keydown", function (event) {
      if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) return;
      const form = event.target.closest && event.target.closest("form");
      if (!form || !box.contains(form)) return;
      event.preventDefault();
      form.requestSubmit();
    });

    const fromHash = location.hash && tabs.find(function (tab) {
      return tab.getAttribute("href") === location.hash;
    });
    const first = fromHash || bySlug(box.dataset.selected) || tabs[0];
    select(first, false);
    // A form that came back with errors: its first wrong field takes the focus.
    const wrong = panelOf(first).querySelector(
      ".has-error input, .has-error select, .has-error textarea"
    );
    if (wrong) wrong.focus();
  }

  function setUpWithin(root) {
    if (root.matches && root.matches("[data-step-box]")) setUp(root);
    if (root.querySelectorAll) root.querySelectorAll("[data-step-box]").forEach(setUp);
  }

  setUpWithin(document);
  document.addEventListener("htmx:load", function (event) { setUpWithin(event.detail.elt); });
})();
