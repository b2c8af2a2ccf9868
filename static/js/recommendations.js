// Main page "AI 추천 활동" tab: asks the recommendations API and shows its activities as
// cards. A card's markup is templates/activity/_card.html only: the page carries it once as a
// <template data-card-template>, and each card here is a clone of it with its slots filled.
// Every piece of data goes in through textContent or a checked URL, never parsed as HTML.
(function () {
  "use strict";

  var root = document.querySelector("[data-recommendations]");
  var cardTemplate = document.querySelector("template[data-card-template]");
  if (!root || !cardTemplate) return;

  var API_URL = root.getAttribute("data-api-url") || "/api/recommendations/activities/";
  var INTERESTS_URL = root.getAttribute("data-interests-url") || "";
  var TIMEOUT_MS = 15000;

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

  // The card link carries the recommendation id, so opening it counts as a click.
  function withRecommendation(href, recommendationId) {
    if (!/^[0-9a-f]{32}$/.test(recommendationId || "")) return href;
    return href + (href.indexOf("?") === -1 ? "?" : "&") + "rec=" + recommendationId;
  }

  // What a [data-field] slot shows for its API field.
  function slotText(value, format) {
    if (format === "month-day") return monthDay(value);
    return text(value);
  }

  // A clone of the page's card template, filled from one activity of the API.
  function card(activity, recommendationId) {
    var activityId = String(parseInt(activity.id, 10));
    var categoryId = parseInt(activity.category_id, 10);
    var article = cardTemplate.content.querySelector(".card").cloneNode(true);

    article.setAttribute("data-activity-id", activityId);
    article.querySelectorAll("[data-activity-id]").forEach(function (node) {
      node.setAttribute("data-activity-id", activityId);
    });
    article.querySelectorAll("[data-field]").forEach(function (node) {
      node.textContent = slotText(activity[node.getAttribute("data-field")], node.getAttribute("data-format"));
    });

    var link = article.querySelector(".card-link");
    link.setAttribute("href", withRecommendation(pageUrl(activity.url, "/activities/" + activityId + "/"), recommendationId));

    // The blank card has both an image and a category label in its thumbnail; keep the one that applies.
    var thumb = article.querySelector(".card-thumb");
    var image = thumb.querySelector("img");
    var label = thumb.querySelector("[data-field]");
    var thumbnail = imageUrl(activity.thumbnail_url);
    if (thumbnail) {
      image.setAttribute("src", thumbnail);
      thumb.removeChild(label);
      thumb.classList.remove("card-thumb-empty", "cat-");
    } else {
      thumb.removeChild(image);
      thumb.classList.remove("cat-");
      if (isFinite(categoryId)) thumb.classList.add("cat-" + categoryId);
    }

    // likes.js (loaded first on every page) draws a heart's state; without it, the count at least.
    var heart = article.querySelector(".like-button");
    if (heart && window.teenplayLikes) {
      window.teenplayLikes.paint(heart, activity.is_like === true, toCount(activity.like_count));
    } else if (heart) {
      heart.querySelector(".like-count").textContent = String(toCount(activity.like_count));
    }
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
