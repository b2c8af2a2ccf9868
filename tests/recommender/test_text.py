"""The one preprocessing used for training, learning and queries."""
import math

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
