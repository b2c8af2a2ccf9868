// Impressions: when a main-page tab's cards are actually shown (the AI tab once its cards have
// loaded, 인기/최신 when their tab is opened), send their activity ids in one batched request with
// the list's signed token. Sent once per list per page view; never blocks or breaks the page.
(function () {
  "use strict";

  var ENDPOINT = "/api/recommendations/impressions/";
  var sent = typeof WeakSet === "function" ? new WeakSet() : null;

  function cookie(name) {
    var parts = document.cookie ? document.cookie.split(";") : [];
    for (var i = 0; i < parts.length; i += 1) {
      var pair = parts[i].trim();
      if (pair.indexOf(name + "=") === 0) return decodeURIComponent(pair.slice(name.length + 1));
    }
    return "";
  }

  function isShown(element) {
    var panel = element.closest("[role=tabpanel]");
    return !panel || (!panel.hidden && panel.classList.contains("is-active"));
  }

  function post(token, ids) {
    var body = JSON.stringify({ impression_token: token, activity_ids: ids });
    try {
      window
        .fetch(ENDPOINT, {
          method: "POST",
          credentials: "same-origin",
          keepalive: true, // still delivered when the visitor opens a card right away
          headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": cookie("csrftoken") },
          body: body,
        })
        .catch(function () {});
    } catch (error) {
      // Counting is best effort: the page works without it.
    }
  }

  function record(list) {
    if (!list || (sent && sent.has(list)) || list.getAttribute("data-impressions-sent") === "true") return;
    if (!isShown(list)) return;
    var token = list.getAttribute("data-impression-token");
    var ids = [];
    list.querySelectorAll(".card[data-activity-id]").forEach(function (card) {
      var id = parseInt(card.getAttribute("data-activity-id"), 10);
      if (isFinite(id) && ids.indexOf(id) === -1) ids.push(id);
    });
    if (!token || !ids.length) return;
    if (sent) sent.add(list);
    list.setAttribute("data-impressions-sent", "true");
    post(token, ids);
  }

  function recordWithin(root) {
    if (!root || typeof root.querySelectorAll !== "function") return;
    if (root.hasAttribute && root.hasAttribute("data-impression-token")) record(root);
    root.querySelectorAll("[data-impression-token]").forEach(record);
  }

  document.addEventListener("teenplay:panel-shown", function (event) {
    recordWithin(event.target);
  });
  document.addEventListener("teenplay:cards-loaded", function (event) {
    recordWithin(event.target);
  });
  // The tab open when the page loads (server-rendered lists).
  document.querySelectorAll("[role=tabpanel].is-active").forEach(recordWithin);
})();
