// An activity page opened from a card has ?rec=<recommendation id> (the server counted the click);
// take it out of the address bar so a bookmark or a shared link does not carry it.
(function () {
  "use strict";
  if (!window.history || typeof window.history.replaceState !== "function") return;
  var url = new URL(window.location.href);
  if (!url.searchParams.has("rec")) return;
  url.searchParams.delete("rec");
  window.history.replaceState(window.history.state, "", url.pathname + url.search + url.hash);
})();
