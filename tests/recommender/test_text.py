"""The one preprocessing used for training, learning and queries."""
import gzip
import io
import json
import math

import pandas as pd
import pytest
from django.core.management import CommandError, call_command

from recommender.core import text
from recommender.core.text import activity_text, char_ngrams, clean_text, kiwi_morphemes, query_text


def test_html_tags_and_entities_are_removed():
    assert clean_text("<p>소이캔들&nbsp;만들기</p><br><b>초보</b>") == "소이캔들 만들기 초보"
    assert clean_text('<span style="color: red">빨간</span>&amp;파란 &nbsp') == "빨간 파란"
    assert clean_text("&lt;모집&gt; 마감 &#39;임박&#39;") == "모집 마감 임박"


def test_double_quotes_and_specials_become_spaces_and_spaces_collapse():
    assert clean_text('"초보 환영"!! 1인 35,000원 (재료비 포함)') == "초보 환영 1인 35 000원 재료비 포함"
    assert clean_text("러닝★크루\n\t매주   수요일") == "러닝 크루 매주 수요일"
    assert clean_text("ㅋㅋ English OK") == "ㅋㅋ English OK"


def test_empty_and_missing_parts_are_skipped_and_joined_with_spaces():
    assert activity_text(title="한강 러닝", content=None, intro="", address_location=float("nan")) == "한강 러닝"
    assert activity_text(title="<p>제목</p>", content="내용", intro="소개", address_location="서울") == "제목 내용 소개 서울"
    assert clean_text(None) == "" and clean_text(math.nan) == ""


def test_learning_text_puts_the_category_first_with_spaces_not_glued():
    text = activity_text(category_name="여행·동행", title="강릉 여행", intro="바다 보러", address_location="강원")
    assert text == "여행 동행 강릉 여행 바다 보러 강원"


def test_query_text_uses_the_same_cleaning():
    assert query_text("여행", " 바다!", "", None, "<b>산</b>") == "여행 바다 산"


def test_morphemes_unify_inflected_forms():
    for sentence in ("박물관", "박물관을 가요", "박물관에서 만나요"):
        assert "박물관" in kiwi_morphemes(sentence)
    assert "을" not in kiwi_morphemes("박물관을 가요")
    assert kiwi_morphemes("") == []


def test_char_ngrams_stay_inside_words():
    grams = char_ngrams("한강 러닝")
    assert " 한" in grams and "한강 " in grams and "강 러" not in grams


def test_only_real_html_tags_are_removed_korean_in_angle_brackets_stays():
    assert clean_text("너와나<이어지는 글 파티> 모집") == "너와나 이어지는 글 파티 모집"
    assert clean_text("<별빛하늘에 소망을> 야간 공연") == "별빛하늘에 소망을 야간 공연"
    assert clean_text("〈빛의 기억〉 특별전 <p>기간</p>") == "빛의 기억 특별전 기간"
    assert clean_text('<img src="a.png"/><br/>사진 <!-- 메모 --> 전시 <A HREF="x">링크</A>') == "사진 전시 링크"
    assert clean_text("1 < 2 그리고 3 > 2") == "1 2 그리고 3 2"


# --- the shipped related-noun answers -------------------------------------------------------


# kiwipiepy's similarity scores differ by up to ~2e-4 between its CPU code paths (KIWI_ARCH_TYPE
# none against avx2: 계주's 10th noun is 병마용 on one and 히로 on the other, 0.00015 apart), so
# nouns this close may swap places or cross the top-10 cut. Anything further apart must match.
NEAR_TIE = 1e-3


def assert_kiwipiepy_would_answer(form, tag, stored):
    try:
        answer = text._kiwi().most_similar_morphemes((form, tag), top_n=2 * text.RELATED_TOP)
    except ValueError:  # a noun the language model does not know: no related nouns
        answer = []
    kept = [m.score for m in answer[:text.RELATED_TOP] if m.score >= text.RELATED_MIN_SCORE]
    cut = kept[-1] if len(kept) == text.RELATED_TOP else text.RELATED_MIN_SCORE
    # Each stored noun takes the best unmatched live answer of that form (a form may come back
    # with several tags).
    unmatched = [(m.form.lower(), m.score) for m in answer]
    scores = []
    for noun in stored:
        match = next((entry for entry in unmatched if entry[0] == noun), None)
        assert match is not None and match[1] >= cut - NEAR_TIE, (form, stored)
        unmatched.remove(match)
        scores.append(match[1])
    assert all(score <= cut + NEAR_TIE for _, score in unmatched), (form, stored)
    assert all(later <= earlier + NEAR_TIE for earlier, later in zip(scores, scores[1:])), (form, stored)


def test_the_shipped_related_nouns_are_what_kiwipiepy_answers_now():
    stored = text.read_related_nouns()
    # Written with this kiwipiepy and these settings (otherwise read_related_nouns returns none).
    assert len(stored) > 10_000
    for key in sorted(stored)[::500]:  # a spread of ~22 nouns
        assert_kiwipiepy_would_answer(*key.rsplit("/", 1), stored[key])
    assert text.related_morphemes("와인", "NNG") == tuple(stored["와인/NNG"])


def test_related_nouns_from_other_settings_or_a_broken_file_are_not_used(tmp_path):
    other = tmp_path / "other.json.gz"
    settings = {**text.related_nouns_settings(), "kiwipiepy": "0.0.1"}
    other.write_bytes(gzip.compress(json.dumps({"settings": settings, "related": {"와인/NNG": ["x"]}}).encode()))
    assert text.read_related_nouns(other) == {}
    broken = tmp_path / "broken.json.gz"
    broken.write_bytes(b"not gzip")
    assert text.read_related_nouns(broken) == {}
    assert text.read_related_nouns(tmp_path / "missing.json.gz") == {}


def test_build_related_nouns_stores_kiwipiepys_answers_for_each_noun(tmp_path):
    rows = pd.DataFrame({
        "category_id": [1, 2], "activity_title": ["와인 시음회", "등산 모임"],
        "activity_content": ["포도주를 마셔요", "산에 올라요"], "activity_intro": ["", ""],
        "activity_address_location": ["서울", "부산"],
    })
    rows.to_csv(tmp_path / "activities.csv", index=False)
    output = tmp_path / "related.json.gz"
    call_command("build_related_nouns", "--csv", str(tmp_path / "activities.csv"), "--output", str(output),
                 stdout=io.StringIO())
    stored = text.read_related_nouns(output)
    assert "와인/NNG" in stored and "등산/NNG" in stored
    assert all(list(text._ask_kiwi_for_related(*key.rsplit("/", 1))) == answer for key, answer in stored.items())


def test_build_related_nouns_with_a_bad_csv_says_so_and_writes_nothing(tmp_path):
    (tmp_path / "bad.csv").write_text("title\nx\n", encoding="utf-8")
    output = tmp_path / "related.json.gz"
    with pytest.raises(CommandError, match="활동 CSV"):
        call_command("build_related_nouns", "--csv", str(tmp_path / "bad.csv"), "--output", str(output))
    assert not output.exists() and not list(tmp_path.glob(".related*"))
