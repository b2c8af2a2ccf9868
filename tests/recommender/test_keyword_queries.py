"""A member's keywords are one or two words each: common activity words on their own must
reach their category with the shipped model. The words are our own choice, five a category."""
import pytest

from reference import CATEGORY_ID_BY_NAME
from recommender.selectors import predict_top_categories

KEYWORDS = {
    "취미": ("뜨개질", "캘리그라피", "방탈출", "도자기", "프라모델"),
    "문화·예술": ("뮤지컬", "전시회", "클래식공연", "미술관", "오케스트라"),
    "운동·액티비티": ("마라톤", "테니스", "볼링", "요가", "풋살"),
    "푸드·드링크": ("맛집", "브런치", "막걸리", "빵지순례", "칵테일"),
    "여행·동행": ("차박", "당일치기", "글램핑", "배낭여행", "기차여행"),
    "성장·자기개발": ("발표력", "이직", "자기계발", "미라클모닝", "퍼스널브랜딩"),
    "동네·또래": ("동네모임", "또래모임", "밥친구", "동갑내기", "이웃"),
    "연애·소개팅": ("소개팅", "연애", "솔로", "미팅", "커플매칭"),
    "재테크": ("ETF", "재무설계", "가계부", "청약", "배당주"),
    "외국어": ("영어회화", "프랑스어", "원어민", "언어교환", "스페인어"),
    "스터디": ("독서모임", "자격증", "코딩", "모각코", "공무원시험"),
    "지역축제": ("불꽃축제", "벚꽃축제", "지역축제", "먹거리장터", "야행"),
    "기타": ("유기견봉사", "헌혈", "플로깅", "설문조사", "기부"),
}
CASES = [(word, category) for category, words in KEYWORDS.items() for word in words]


def test_the_list_covers_every_category_with_at_least_60_words():
    assert set(KEYWORDS) == set(CATEGORY_ID_BY_NAME)
    assert len({word for word, _ in CASES}) == len(CASES) >= 60


@pytest.mark.parametrize("word, category", CASES, ids=[word for word, _ in CASES])
def test_a_one_word_keyword_reaches_its_category_first(word, category):
    top = predict_top_categories(word, 2)
    assert top, f"{word}: no prediction"
    assert top[0]["name"] == category, f"{word}: {[c['name'] for c in top]}"
