// Main page "AI 추천 활동" tab: asks the recommendations API and shows its activities as
// cards with the same markup and classes as templates/activity/_card.html. Every piece
// of data goes in through textContent or a checked URL, never parsed as HTML.
(function () {
  "use strict";

  var root = document.querySelector("[data-recommendations]");
  if (!root) return;

  var API_URL = root.getAttribute("data-api-url") || "/api/recommendations/activities/";
  var AUTHENTICATED = root.getAttribute("data-authenticated") === "true";
  var LOGIN_URL = root.getAttribute("data-login-url") || "/accounts/login/";
  var INTERESTS_URL = root.getAttribute("data-interests-url") || "";
  var TIMEOUT_MS = 15000;
  var LIKED_GLYPH = "\u2665"; // ♥
  var NOT_LIKED_GLYPH = "\u2661"; // ♡

  var dateFormat = null;
  try {
    // The server renders dates in Asia/Seoul; so do the cards made here, whatever the device's zone.
    dateFormat = new Intl.DateTimeFormat("ko-KR", { timeZone: "Asia/Seoul", month: "numeric", day: "numeric" });
  } catch (error) {
    dateFormat = null;
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function toCount(value) {
    var number = parseInt(value, 10);
    return isFinite(number) && number > 0 ? number : 0;
  }

  function text(value) {
    return value === undefined || value === null ? "" : String(value);
  }

  // "n월 j일", like the template's date filter.
  function monthDay(iso) {
    if (typeof iso !== "string" || !iso) return "";
    var date = new Date(iso.replace(/(\.\d{3})\d+/, "$1"));
    if (dateFormat && typeof dateFormat.formatToParts === "function" && !isNaN(date.getTime())) {
      var month = "";
      var day = "";
      dateFormat.formatToParts(date).forEach(function (part) {
        if (part.type === "month") month = part.value;
        if (part.type === "day") day = part.value;
      });
      if (month && day) return Number(month) + "월 " + Number(day) + "일";
    }
    var match = /^\d{4}-(\d{2})-(\d{2})/.exec(iso);
    return match ? Number(match[1]) + "월 " + Number(match[2]) + "일" : "";
  }

  // Only same-origin page links; anything else falls back to the detail path.
  function pageUrl(url, fallback) {
    if (typeof url !== "string" || !url) return fallback;
    try {
      var parsed = new URL(url, window.location.href);
      if (parsed.origin === window.location.origin) return parsed.pathname + parsed.search + parsed.hash;
    } catch (error) {
      return fallback;
    }
    return fallback;
  }

  // Images from http(s) only (relative paths resolve to this site).
  function imageUrl(url) {
    if (typeof url !== "string" || !url) return "";
    try {
      var parsed = new URL(url, window.location.href);
      if (parsed.origin === window.location.origin) return parsed.pathname + parsed.search;
      if (parsed.protocol === "http:" || parsed.protocol === "https:") return parsed.href;
    } catch (error) {
      return "";
    }
    return "";
  }

  function percent(probability) {
    var value = Number(probability);
    if (!isFinite(value)) return "";
    value = Math.min(Math.max(value, 0), 1) * 100;
    if (value > 0 && value < 1) return "1% 미만";
    return Math.round(value) + "%";
  }

  // Same markup as templates/activity/_like_control.html.
  function likeControl(activity, activityId) {
    var count = el("span", "like-count", String(toCount(activity.like_count)));
    var icon = el("span", "like-icon");
    icon.setAttribute("aria-hidden", "true");
    var control;
    if (AUTHENTICATED) {
      var liked = activity.is_like === true;
      control = el("button", "like-button");
      control.type = "button";
      control.setAttribute("data-activity-id", activityId);
      control.setAttribute("aria-pressed", liked ? "true" : "false");
      control.title = "좋아요";
      icon.textContent = liked ? LIKED_GLYPH : NOT_LIKED_GLYPH;
      control.appendChild(icon);
      control.appendChild(el("span", "sr-only", "좋아요"));
    } else {
      control = el("a", "like-button like-login");
      control.href = LOGIN_URL + "?next=" + encodeURIComponent(window.location.pathname + window.location.search).replace(/%2F/g, "/");
      control.title = "로그인하고 좋아요 누르기";
      icon.textContent = NOT_LIKED_GLYPH;
      control.appendChild(icon);
      control.appendChild(el("span", "sr-only", "로그인하고 좋아요 누르기, 좋아요"));
    }
    control.appendChild(document.createTextNode(" "));
    control.appendChild(count);
    return control;
  }

  // The card link carries the recommendation id, so opening it counts as a click.
  function withRecommendation(href, recommendationId) {
    if (!/^[0-9a-f]{32}$/.test(recommendationId || "")) return href;
    return href + (href.indexOf("?") === -1 ? "?" : "&") + "rec=" + recommendationId;
  }

  // Same markup as templates/activity/_card.html.
  function card(activity, recommendationId) {
    var activityId = String(parseInt(activity.id, 10));
    var categoryId = parseInt(activity.category_id, 10);
    var categoryName = text(activity.category_name);

    var article = el("article", "card");
    article.setAttribute("data-activity-id", activityId);

    var link = el("a", "card-link");
    link.href = withRecommendation(pageUrl(activity.url, "/activities/" + activityId + "/"), recommendationId);

    var thumb = el("div", "card-thumb");
    var thumbnail = imageUrl(activity.thumbnail_url);
    if (thumbnail) {
      var image = el("img");
      image.src = thumbnail;
      image.alt = "";
      image.setAttribute("loading", "lazy");
      thumb.appendChild(image);
    } else {
      thumb.className += " card-thumb-empty" + (isFinite(categoryId) ? " cat-" + categoryId : "");
      thumb.appendChild(el("span", "", categoryName));
    }
    link.appendChild(thumb);

    var body = el("div", "card-body");
    body.appendChild(el("span", "badge", categoryName));
    body.appendChild(el("h3", "card-title", text(activity.title)));
    body.appendChild(el("p", "card-club", text(activity.club_name)));
    var dates = el("p", "card-dates");
    dates.appendChild(el("span", "", monthDay(activity.activity_start)));
    dates.appendChild(document.createTextNode(" ~ "));
    dates.appendChild(el("span", "", monthDay(activity.activity_end)));
    body.appendChild(dates);
    link.appendChild(body);
    article.appendChild(link);

    var stats = el("div", "card-stats");
    stats.appendChild(likeControl(activity, activityId));
    var members = el("span", "stat-members", "참가 " + toCount(activity.member_count) + "명");
    members.title = "참가자";
    stats.appendChild(members);
    article.appendChild(stats);
    return article;
  }

  // One line saying what the recommendation is based on.
  function basis(data) {
    var line = el("p", "ai-basis");
    if (data.source === "season") {
      line.appendChild(document.createTextNode("이번 시즌 키워드 「"));
      line.appendChild(el("strong", "", text(data.query)));
      line.appendChild(document.createTextNode("」로 고른 활동이에요."));
    } else if (data.source === "member") {
      line.appendChild(document.createTextNode("관심 분야와 키워드, 최근 본 활동을 바탕으로 추천했어요."));
      var categories = Array.isArray(data.categories) ? data.categories.slice(0, 2) : [];
      if (categories.length) {
        var list = el("span", "ai-categories");
        categories.forEach(function (category) {
          var item = el("span", "ai-category");
          item.appendChild(el("strong", "", text(category && category.name)));
          var share = percent(category && category.probability);
          if (share) item.appendChild(document.createTextNode(" " + share));
          list.appendChild(item);
        });
        line.appendChild(document.createTextNode(" "));
        line.appendChild(list);
      }
      if (INTERESTS_URL) {
        line.appendChild(document.createTextNode(" "));
        line.appendChild(makeLink(INTERESTS_URL, "관심사 바꾸기", "ai-basis-link"));
      }
    } else if (data.source === "fallback") {
      line.appendChild(document.createTextNode("지금은 추천을 준비하지 못해 최신 활동을 보여 드려요."));
    } else {
      return null;
    }
    return line;
  }

  function makeLink(href, label, className) {
    var anchor = el("a", className, label);
    anchor.href = href;
    return anchor;
  }

  function showLoading() {
    clear(root);
    root.setAttribute("aria-busy", "true");
    var box = el("div", "ai-loading");
    box.setAttribute("role", "status");
    var spinner = el("span", "spinner");
    spinner.setAttribute("aria-hidden", "true");
    box.appendChild(spinner);
    box.appendChild(el("p", "", "AI가 추천 활동을 준비 중이에요…"));
    root.appendChild(box);
  }

  function showEmpty(data) {
    var box = el("div", "empty-state ai-empty");
    box.appendChild(el("p", "empty-title", "지금은 추천할 활동이 없어요."));
    box.appendChild(el("p", "", "새 활동이 열리면 가장 먼저 골라 드릴게요. 그동안 인기 활동과 최신 활동을 둘러보세요."));
    if (INTERESTS_URL) {
      var more = el("p");
      more.appendChild(makeLink(INTERESTS_URL, "관심 분야와 키워드 설정하기"));
      box.appendChild(more);
    }
    var line = basis(data);
    if (line) root.appendChild(line);
    root.appendChild(box);
  }

  function showError() {
    clear(root);
    root.setAttribute("aria-busy", "false");
    var box = el("div", "empty-state ai-error");
    box.setAttribute("role", "alert");
    box.appendChild(el("p", "empty-title", "추천 활동을 불러오지 못했어요."));
    box.appendChild(el("p", "", "잠시 후 다시 시도해 주세요. 인터넷 연결도 한번 확인해 주세요."));
    var retry = el("button", "button button-small", "다시 시도");
    retry.type = "button";
    retry.addEventListener("click", function () {
      load();
    });
    box.appendChild(retry);
    root.appendChild(box);
  }

  function showRecommendations(data) {
    clear(root);
    root.setAttribute("aria-busy", "false");
    var activities = data.activities.filter(function (activity) {
      return activity && isFinite(parseInt(activity.id, 10));
    });
    if (!activities.length) {
      showEmpty(data);
      return;
    }
    var line = basis(data);
    if (line) root.appendChild(line);
    var grid = el("div", "card-grid");
    var recommendationId = text(data.recommendation_id);
    if (typeof data.impression_token === "string" && data.impression_token) {
      grid.setAttribute("data-impression-token", data.impression_token);
      grid.setAttribute("data-recommendation-id", recommendationId);
    }
    activities.forEach(function (activity) {
      grid.appendChild(card(activity, recommendationId));
    });
    root.appendChild(grid);
    // impressions.js records these cards if the AI tab is the one shown.
    grid.dispatchEvent(new CustomEvent("teenplay:cards-loaded", { bubbles: true }));
  }

  function fetchRecommendations() {
    var controller = typeof AbortController === "function" ? new AbortController() : null;
    var timer = controller
      ? window.setTimeout(function () {
          controller.abort();
        }, TIMEOUT_MS)
      : null;
    return window
      .fetch(API_URL, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        signal: controller ? controller.signal : undefined,
      })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (data) {
        if (!data || !Array.isArray(data.activities)) throw new Error("unexpected response");
        return data;
      })
      .then(
        function (data) {
          if (timer) window.clearTimeout(timer);
          return data;
        },
        function (error) {
          if (timer) window.clearTimeout(timer);
          throw error;
        }
      );
  }

  var loading = false;

  function load() {
    if (loading) return;
    loading = true;
    showLoading();
    fetchRecommendations()
      .then(showRecommendations)
      .catch(showError)
      .then(function () {
        loading = false;
      });
  }

  load();
})();
