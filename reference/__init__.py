"""The fixed reference lists: categories and regions. Plain Python with no Django, so the
crawler, the dataset builder, the classifier and the apps (through activity's data migration)
all read the same lists. Category ids 1–13 are the classifier's classes, so their order never
changes; region ids are 1–15 in this order."""

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
