// Heart buttons (button.like-button[data-activity-id]) anywhere on a page: server-rendered
// cards, the detail page and cards added later by recommendations.js (event delegation).
// POST likes, DELETE unlikes; the response's {liked, like_count} is what the page shows.
(function () {
  "use strict";

  var LIKED_GLYPH = "\u2665"; // ♥
  var NOT_LIKED_GLYPH = "\u2661"; // ♡
  var TOAST_MS = 3500;
  var pending = {};
  var toastTimer = null;

  function cookie(name) {
    var parts = document.cookie ? document.cookie.split(";") : [];
    for (var i = 0; i < parts.length; i += 1) {
      var pair = parts[i].trim();
      if (pair.indexOf(name + "=") === 0) {
        return decodeURIComponent(pair.slice(name.length + 1));
      }
    }
    return "";
  }

  function csrfToken() {
    var token = cookie("csrftoken");
    if (token) return token;
    var field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function loginUrl() {
    var url = document.body && document.body.getAttribute("data-login-url");
    return url || "/accounts/login/";
  }

  function goToLogin() {
    var here = window.location.pathname + window.location.search;
    window.location.assign(loginUrl() + "?next=" + encodeURIComponent(here).replace(/%2F/g, "/"));
  }

  // Every heart for the activity (the same activity can sit in several tabs at once).
  function buttonsFor(activityId) {
    var all = document.querySelectorAll("button.like-button[data-activity-id]");
    var found = [];
    for (var i = 0; i < all.length; i += 1) {
      if (all[i].getAttribute("data-activity-id") === activityId) found.push(all[i]);
    }
    return found;
  }

  function setBusy(activityId, busy) {
    buttonsFor(activityId).forEach(function (button) {
      button.disabled = busy;
      if (busy) button.setAttribute("aria-busy", "true");
      else button.removeAttribute("aria-busy");
    });
  }

  // One heart (templates/activity/_like_control.html) showing a like state. A visitor's heart
  // is a link to the login page: it only shows the count.
  function paint(control, liked, likeCount) {
    var count = Math.max(0, parseInt(likeCount, 10) || 0);
    if (control.tagName === "BUTTON") {
      control.setAttribute("aria-pressed", liked ? "true" : "false");
      var icon = control.querySelector(".like-icon");
      if (icon) icon.textContent = liked ? LIKED_GLYPH : NOT_LIKED_GLYPH;
    }
    var counter = control.querySelector(".like-count");
    if (counter) counter.textContent = String(count);
  }

  function show(activityId, liked, likeCount) {
    buttonsFor(activityId).forEach(function (button) {
      paint(button, liked, likeCount);
    });
  }

  // recommendations.js paints the hearts of the cards it fills with this.
  window.teenplayLikes = { paint: paint };

  function toast(message) {
    var box = document.getElementById("like-toast");
    if (!box) {
      box = document.createElement("div");
      box.id = "like-toast";
      box.className = "toast";
      box.setAttribute("role", "status");
      box.setAttribute("aria-live", "polite");
      document.body.appendChild(box);
    }
    box.textContent = message;
    box.classList.add("is-visible");
    if (toastTimer) window.clearTimeout(toastTimer);
    toastTimer = window.setTimeout(function () {
      box.classList.remove("is-visible");
    }, TOAST_MS);
  }

  function readJson(response) {
    return response
      .json()
      .catch(function () {
        return null;
      })
      .then(function (data) {
        return { status: response.status, ok: response.ok, data: data };
      });
  }

  function handle(result) {
    var data = result.data;
    if (result.ok && data && typeof data.liked === "boolean") {
      return { liked: data.liked, likeCount: data.like_count };
    }
    var detail = data && typeof data.detail === "string" ? data.detail : "";
    if (result.status === 401 || result.status === 403) {
      if (/^CSRF/i.test(detail)) {
        toast("보안 확인이 만료됐어요. 페이지를 새로고침한 뒤 다시 눌러 주세요.");
      } else {
        goToLogin();
      }
    } else if (result.status === 404) {
      toast("이 활동을 찾을 수 없어요. 삭제되었을 수 있어요.");
    } else {
      toast("좋아요를 반영하지 못했어요. 잠시 후 다시 시도해 주세요.");
    }
    return null;
  }

  function toggle(button) {
    var activityId = button.getAttribute("data-activity-id");
    if (!/^\d+$/.test(activityId || "") || pending[activityId]) return;
    var liked = button.getAttribute("aria-pressed") === "true";
    pending[activityId] = true;
    setBusy(activityId, true);
    window
      .fetch("/api/activities/" + activityId + "/like/", {
        method: liked ? "DELETE" : "POST",
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
      })
      .then(readJson)
      .then(function (result) {
        var state = handle(result);
        if (state) show(activityId, state.liked, state.likeCount);
      })
      .catch(function () {
        toast("인터넷 연결을 확인한 뒤 다시 시도해 주세요.");
      })
      .then(function () {
        pending[activityId] = false;
        setBusy(activityId, false);
        // A disabled button drops keyboard focus; give it back.
        if (document.activeElement === document.body && document.body.contains(button)) button.focus();
      });
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!target || typeof target.closest !== "function") return;
    var button = target.closest("button.like-button[data-activity-id]");
    if (!button) return;
    event.preventDefault();
    toggle(button);
  });
})();
