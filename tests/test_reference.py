import pytest

from activity.models import Category, Region


@pytest.mark.django_db
def test_thirteen_categories_have_fixed_ids_in_the_original_order():
    names = dict(Category.objects.values_list("id", "name"))
    assert names == {
        1: "취미", 2: "문화·예술", 3: "운동·액티비티", 4: "푸드·드링크", 5: "여행·동행", 6: "성장·자기개발",
        7: "동네·또래", 8: "연애·소개팅", 9: "재테크", 10: "외국어", 11: "스터디", 12: "지역축제", 13: "기타",
    }


@pytest.mark.django_db
def test_fifteen_regions_with_ulsan_and_gyeongnam_separate():
    names = dict(Region.objects.values_list("id", "name"))
    assert len(names) == 15
    assert names[5] == "울산" and names[6] == "경남"
    assert names[1] == "서울" and names[15] == "제주"
    assert "울산경남" not in names.values()


@pytest.mark.django_db
def test_new_category_rows_do_not_collide_with_fixed_ids():
    # On PostgreSQL the sequence must have been moved past the fixed ids.
    extra = Category.objects.create(name="임시 카테고리")
    assert extra.pk > 13
