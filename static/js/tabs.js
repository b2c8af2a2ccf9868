// Main page tabs: one panel visible at a time, keyboard-friendly buttons.
(function () {
  document.querySelectorAll("[data-tabs]").forEach(function (root) {
    var tabs = root.querySelectorAll("[role=tab]");
    tabs.forEach(function (tab) {
      tab.addEventListener("click", function () {
        tabs.forEach(function (other) {
          var selected = other === tab;
          other.classList.toggle("is-active", selected);
          other.setAttribute("aria-selected", selected ? "true" : "false");
          var panel = document.getElementById(other.getAttribute("aria-controls"));
          panel.hidden = !selected;
          panel.classList.toggle("is-active", selected);
        });
        // impressions.js records the cards of a panel once it is shown.
        var shown = document.getElementById(tab.getAttribute("aria-controls"));
        shown.dispatchEvent(new CustomEvent("teenplay:panel-shown", { bubbles: true }));
      });
    });
  });
})();
