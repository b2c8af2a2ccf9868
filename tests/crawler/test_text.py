"""Club-name extraction and whitespace tidying: pure functions, no browser."""
import pytest

from crawler.text import extract_club_name, multi_line, single_line, unique


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("<주말 등산회>", "주말 등산회"),
        # text after the closing bracket is ignored
        ("<책읽는 밤> 2월 정기모임 후기", "책읽는 밤"),
        ("[소모임 소개] <책읽는 밤> 함께 읽어요", "책읽는 밤"),
        ("봄맞이 <꽃꽂이 원데이> 모임 후기", "꽃꽂이 원데이"),
        # quotes inside or around the brackets are dropped
        ('"<보드게임 다이스>" 신규 멤버 모집', "보드게임 다이스"),
        ('<"한강 러닝크루">와 함께', "한강 러닝크루"),
        ("<'독서 모임'>", "독서 모임"),
        ("‘<영어 회화 스터디>’ 인터뷰", "영어 회화 스터디"),
        ("<“재즈 감상회”>", "재즈 감상회"),
        # surrounding and inner whitespace
        ("<  우쿨렐레   교실 > 첫 합주", "우쿨렐레 교실"),
        ("<\t요가\n아침반 >", "요가 아침반"),
        # commas survive: the CSV writer quotes them
        ("<댄스, 힙합 크루> 공연 후기", "댄스, 힙합 크루"),
        # nested and doubled brackets: the innermost name
        ("<<사진 동호회 찰칵>>", "사진 동호회 찰칵"),
        ("<모임 <서울 재즈>>", "서울 재즈"),
        # several bracketed parts: the last one wins
        ("<공지> <클라이밍 크루 홀드>", "클라이밍 크루 홀드"),
        # an unclosed last bracket does not hide an earlier complete one
        ("<캠핑 크루 별밤> 다음 모임은 <미정", "캠핑 크루 별밤"),
        # an empty last bracket falls back to an earlier name
        ("<풋살 FC 수요일> <>", "풋살 FC 수요일"),
    ],
)
def test_extracts_the_club_name_from_a_title(title, expected):
    assert extract_club_name(title) == expected


@pytest.mark.parametrize(
    "title",
    [
        "소모임 앱 3월 업데이트 안내",  # no brackets
        "이벤트 > 당첨자 발표",  # only a closing bracket
        "다음 모임 < 미정",  # only an opening bracket
        "순서가 >거꾸로< 된 괄호",
        "<> 제목 없는 글",
        "<   >",
        '<"">',
        "",
        None,
    ],
)
def test_titles_without_a_club_name_give_none(title):
    assert extract_club_name(title) is None


def test_single_line_collapses_all_whitespace():
    assert single_line("  강남\n 필라테스\t\t체험 ") == "강남 필라테스 체험"
    assert single_line(None) == ""


def test_multi_line_keeps_line_breaks_and_drops_blank_lines():
    assert multi_line(" 관람권 2매 \n\n  후기   작성 \n") == "관람권 2매\n후기 작성"


def test_unique_keeps_first_seen_order():
    assert list(unique(["b", "a", "b", "c", "a"])) == ["b", "a", "c"]
