"""The operator dashboard's charts, drawn on the server as PNG (matplotlib, Korean labels)."""
from __future__ import annotations

import io
from datetime import date

KOREAN_FONTS = ("NanumGothic", "NanumBarunGothic", "Noto Sans CJK KR", "NanumMyeongjo")
COLOURS = ["#1f5fbf", "#c2410c", "#15803d", "#7e22ce", "#b91c1c", "#0f766e"]


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import font_manager

    available = {font.name for font in font_manager.fontManager.ttflist}
    korean = next((name for name in KOREAN_FONTS if name in available), None)
    return plt, {"font.family": [korean, "DejaVu Sans"] if korean else ["DejaVu Sans"], "axes.unicode_minus": False}


def _date_axis(axis, days: list[date]) -> None:
    """The 30 days on the x axis as 월-일, whatever the data (a day without data is a gap)."""
    from datetime import timedelta

    from matplotlib.dates import DateFormatter

    if days:
        axis.set_xlim(days[0] - timedelta(hours=12), days[-1] + timedelta(hours=12))
    axis.xaxis.set_major_formatter(DateFormatter("%m-%d"))


def _png(figure, plt) -> bytes:
    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png", dpi=96)
    plt.close(figure)
    return buffer.getvalue()


def click_through_chart(days: list[date], series: dict[str, list[tuple[int, int]]], *, title: str,
                        labels: dict[str, str] | None = None) -> bytes:
    """Click-through per day, one line per series (days without impressions are gaps)."""
    plt, style = _pyplot()
    labels = labels or {}
    with plt.rc_context(style):
        figure, axis = plt.subplots(figsize=(8, 3.2))
        for number, (name, counts) in enumerate(sorted(series.items())):
            values = [100.0 * clicks / shown if shown else float("nan") for shown, clicks in counts]
            axis.plot(days, values, marker="o", markersize=3, linewidth=1.6, color=COLOURS[number % len(COLOURS)],
                      label=labels.get(name, name))
        axis.set_title(title)
        axis.set_ylabel("클릭률 (%)")
        axis.set_ylim(bottom=0)
        axis.grid(alpha=0.3)
        _date_axis(axis, days)
        figure.autofmt_xdate()
        if series:
            axis.legend(loc="upper left", fontsize=8)
        else:
            axis.text(0.5, 0.5, "아직 기록된 노출이 없어요", transform=axis.transAxes, ha="center", va="center")
        return _png(figure, plt)


def events_chart(days: list[date], series: dict[str, list[int]], *, labels: dict[str, str]) -> bytes:
    """Learning events per day, stacked by kind."""
    plt, style = _pyplot()
    with plt.rc_context(style):
        figure, axis = plt.subplots(figsize=(8, 3.2))
        bottom = [0] * len(days)
        for number, (name, counts) in enumerate(series.items()):
            axis.bar(days, counts, bottom=bottom, color=COLOURS[number % len(COLOURS)], label=labels.get(name, name))
            bottom = [b + c for b, c in zip(bottom, counts)]
        axis.set_title("하루 학습 이벤트 수 (최근 30일)")
        axis.set_ylabel("이벤트 수")
        axis.set_ylim(bottom=0, top=max(max(bottom, default=0), 1) * 1.1)
        axis.yaxis.get_major_locator().set_params(integer=True)
        axis.grid(alpha=0.3, axis="y")
        _date_axis(axis, days)
        axis.legend(loc="upper left", fontsize=8)
        figure.autofmt_xdate()
        return _png(figure, plt)
