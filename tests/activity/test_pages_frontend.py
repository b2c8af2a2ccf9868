"""What the templates give the front-end scripts: hearts, the AI tab container, the
similar-activities section and the script tags. The scripts themselves run in browser tests."""
import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.test import RequestFactory

from activity import selectors

pytestmark = pytest.mark.django_db

LIKED_BUTTON = (
    '<button type="button" class="like-button" data-activity-id="{id}" aria-pressed="true" title="좋아요">'
    '<span class="like-icon" aria-hidden="true">♥</span><span class="sr-only">좋아요</span> '
    '<span class="like-count">{count}</span></button>'
)
UNLIKED_BUTTON = (
    '<button type="button" class="like-button" data-activity-id="{id}" aria-pressed="false" title="좋아요">'
    '<span class="like-icon" aria-hidden="true">♡</span><span class="sr-only">좋아요</span> '
    '<span class="like-count">{count}</span></button>'
)


def card_html(body, activity_id):
    """The markup of one card (the first with that id)."""
    match = re.search(rf'<article class="card" data-activity-id="{activity_id}">.*?</article>', body, re.S)
    assert match, f"no card for activity {activity_id}"
    return match.group(0)


def scripts(body):
    return re.findall(r'<script src="([^"]+)"( defer)?></script>', body)


# --- hearts on cards ---


def test_cards_show_filled_heart_for_liked_activity_when_logged_in(client, member, make_activity, make_member, add_like):
    liked = make_activity(title="좋아한 활동")
    other = make_activity(title="아직 안 좋아한 활동")
    add_like(member, liked)
    add_like(make_member(), liked)
    add_like(make_member(), other)
    client.force_login(member)

    body = client.get("/").content.decode()
    assert LIKED_BUTTON.format(id=liked.id, count=2) in card_html(body, liked.id)
    assert UNLIKED_BUTTON.format(id=other.id, count=1) in card_html(body, other.id)
    assert 'class="like-login' not in body


def test_soft_deleted_like_shows_an_empty_heart(client, member, make_activity, add_like):
    activity = make_activity()
    add_like(member, activity, status=False)
    client.force_login(member)
    body = client.get("/activities/").content.decode()
    assert UNLIKED_BUTTON.format(id=activity.id, count=0) in card_html(body, activity.id)


def test_cards_link_the_heart_to_login_when_logged_out(client, make_activity, make_member, add_like):
    activity = make_activity()
    add_like(make_member(), activity)

    body = client.get("/activities/?category=1").content.decode()
    card = card_html(body, activity.id)
    assert '<a class="like-button like-login" href="/accounts/login/?next=/activities/%3Fcategory%3D1"' in card
    assert '<span class="like-icon" aria-hidden="true">♡</span>' in card
    assert '<span class="like-count">1</span>' in card
    assert "<button" not in card and "aria-pressed" not in card


def test_heart_sits_outside_the_card_link(client, member, make_activity):
    activity = make_activity()
    client.force_login(member)
    card = card_html(client.get("/").content.decode(), activity.id)
    link_end = card.index("</a>")
    assert card.index('class="like-button"') > link_end
    assert card.index('class="card-stats"') > link_end


# --- main page: AI tab and scripts ---


def test_main_page_has_ai_tab_container_with_loading_state(client):
    body = client.get("/").content.decode()
    panel = re.search(r'<div class="tab-panel is-active" role="tabpanel" id="tab-ai".*?</noscript>', body, re.S).group(0)
    assert 'data-recommendations data-api-url="/api/recommendations/activities/"' in panel
    assert 'aria-busy="true"' in panel
    assert '<div class="ai-loading" role="status" hidden>' in panel
    assert "AI가 추천 활동을 준비 중이에요" in panel
    assert "<noscript>" in panel
    assert "data-interests-url" not in panel


def test_main_page_tells_the_script_a_member_is_logged_in(client, member):
    client.force_login(member)
    body = client.get("/").content.decode()
    assert 'data-interests-url="/mypage/interests/"' in body
    assert "csrftoken" in client.cookies  # the hearts send it back as X-CSRFToken


def card_template(body):
    match = re.search(r"<template data-card-template>(.*?)</template>", body, re.S)
    assert match, "no card template on the page"
    return match.group(1)


def blank(card):
    """A server-rendered card with its filled slots, ids and link emptied: what the template holds."""
    card = re.sub(r'(data-field="[a-z_]+"(?: data-format="[a-z-]+")?>)[^<]*<', r"\1<", card)
    card = re.sub(r'data-activity-id="\d+"', 'data-activity-id=""', card)
    card = re.sub(r'class="card-link" href="[^"]*"', 'class="card-link" href=""', card)
    card = re.sub(r'<span class="like-count">\d+</span>', '<span class="like-count"></span>', card)
    return card.replace('aria-pressed="true"', 'aria-pressed="false"').replace("♥", "♡")


@pytest.mark.parametrize("logged_in", [True, False])
def test_the_ai_tabs_card_template_is_the_server_card_with_blank_slots(client, member, make_activity, logged_in):
    """The script's card is a clone of _card.html rendered blank: the same markup as a server card
    once the slots are emptied (both thumbnail children are there; the script keeps one)."""
    activity = make_activity(title="템플릿과 같은 카드", category_id=4)
    if logged_in:
        client.force_login(member)
    body = client.get("/").content.decode()
    template = card_template(body)
    assert template.count('<article class="card"') == 1 and "템플릿과 같은 카드" not in template
    served = blank(card_html(body, activity.id))
    served = served.replace('cat-4">\n      <span', 'cat-">\n      <img src="" alt="" loading="lazy"><span')
    assert template.strip() == served
    assert ("<button" in template) is logged_in and ('href="/accounts/login/?next=/"' in template) is not logged_in


def test_main_page_loads_scripts_deferred(client):
    found = scripts(client.get("/").content.decode())
    sources = [source for source, _ in found]
    assert sources == ["/static/js/likes.js", "/static/js/impressions.js", "/static/js/tabs.js", "/static/js/recommendations.js"]
    assert all(defer for _, defer in found)


@pytest.mark.parametrize("path", ["/static/js/likes.js", "/static/js/recommendations.js", "/static/js/impressions.js",
                                  "/static/js/card-origin.js", "/static/css/teenplay.css"])
def test_static_files_are_served_locally(client, path):
    response = client.get(path)
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert b"http://" not in content and b"https://" not in content  # no CDN


def test_scripts_build_dom_nodes_not_html_strings():
    from django.conf import settings

    for name in ("likes.js", "recommendations.js", "impressions.js", "card-origin.js"):
        source = (settings.BASE_DIR / "static" / "js" / name).read_text(encoding="utf-8")
        assert "innerHTML" not in source and "insertAdjacentHTML" not in source and "document.write" not in source
        assert "console." not in source


def test_body_carries_login_url_for_the_like_script(client):
    assert '<body data-login-url="/accounts/login/">' in client.get("/").content.decode()


# --- detail page ---


def test_detail_page_heart_and_scripts(client, member, make_activity, add_like):
    activity = make_activity()
    add_like(member, activity)
    client.force_login(member)
    body = client.get(f"/activities/{activity.id}/").content.decode()
    likes = re.search(r'<dd class="detail-likes">(.*?)</dd>', body, re.S).group(1)
    assert 'class="like-button like-button-large" data-activity-id="%d" aria-pressed="true"' % activity.id in likes
    assert '<span class="like-count">1</span>' in likes
    assert ("/static/js/likes.js", " defer") in scripts(body)


def test_detail_page_heart_links_to_login_when_logged_out(client, make_activity):
    activity = make_activity()
    body = client.get(f"/activities/{activity.id}/").content.decode()
    likes = re.search(r'<dd class="detail-likes">(.*?)</dd>', body, re.S).group(1)
    assert f'href="/accounts/login/?next=/activities/{activity.id}/"' in likes
    assert '<span class="like-count">0</span>' in likes


def test_detail_page_has_a_similar_section(client, make_activity):
    activity = make_activity()
    response = client.get(f"/activities/{activity.id}/")
    body = response.content.decode()
    assert '<section class="similar" aria-labelledby="similar-title">' in body
    assert "비슷한 활동" in body
    if not response.context["similar_activities"]:
        assert "아직 비슷한 활동을 찾지 못했어요." in body


def _render_detail(activity, similar, user):
    request = RequestFactory().get(f"/activities/{activity.id}/")
    request.user = user
    return render_to_string(
        "activity/detail.html", {"activity": activity, "similar_activities": similar}, request=request
    )


def test_similar_section_renders_cards_with_hearts(member, make_activity, add_like):
    activity = make_activity(title="기준 활동")
    first, second = make_activity(title="비슷한 활동 하나"), make_activity(title="비슷한 활동 둘")
    add_like(member, second)
    cards = {a.id: a for a in selectors.activity_cards(member=member)}

    body = _render_detail(cards[activity.id], [cards[first.id], cards[second.id]], member)
    section = re.search(r'<section class="similar".*?</section>', body, re.S).group(0)
    assert section.count('<article class="card"') == 2
    assert "비슷한 활동 하나" in section and "비슷한 활동 둘" in section
    assert UNLIKED_BUTTON.format(id=first.id, count=0) in section
    assert LIKED_BUTTON.format(id=second.id, count=1) in section
    assert "아직 비슷한 활동을 찾지 못했어요." not in section


def test_similar_section_empty_state(make_activity):
    activity = selectors.activity_detail(activity_id=make_activity(category_id=5).id)
    body = _render_detail(activity, [], AnonymousUser())
    section = re.search(r'<section class="similar".*?</section>', body, re.S).group(0)
    assert "아직 비슷한 활동을 찾지 못했어요." in section
    assert 'href="/activities/?category=5"' in section
    assert '<article class="card"' not in section


def test_similar_cards_for_visitors_link_hearts_to_login(make_activity):
    activity, similar = make_activity(), make_activity()
    cards = {a.id: a for a in selectors.activity_cards()}
    body = _render_detail(cards[activity.id], [cards[similar.id]], AnonymousUser())
    card = card_html(body, similar.id)
    assert f'href="/accounts/login/?next=/activities/{activity.id}/"' in card
