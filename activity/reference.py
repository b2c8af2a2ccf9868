"""The fixed reference data. Category ids 1–13 are the classifier's classes, so
their order never changes; region ids 1–15 follow the original data."""

CATEGORY_NAMES = (
    "취미",
    "문화·예술",
    "운동·액티비티",
    "푸드·드링크",
    "여행·동행",
    "성장·자기개발",
    "동네·또래",
    "연애·소개팅",
    "재테크",
    "외국어",
    "스터디",
    "지역축제",
    "기타",
)

# The original list lost a comma between 울산 and 경남 (making "울산경남"); fixed here.
REGION_NAMES = (
    "서울",
    "경기",
    "인천",
    "부산",
    "울산",
    "경남",
    "대구",
    "경북",
    "충청",
    "대전",
    "세종",
    "전라",
    "광주",
    "강원",
    "제주",
)

CATEGORY_IDS = tuple(range(1, len(CATEGORY_NAMES) + 1))
CATEGORY_ID_BY_NAME = {name: index for index, name in enumerate(CATEGORY_NAMES, start=1)}
REGION_ID_BY_NAME = {name: index for index, name in enumerate(REGION_NAMES, start=1)}
