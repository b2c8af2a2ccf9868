"""Impressions, clicks and click-through of the main page's tabs over the last N days."""
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from recommender.selectors import recommendation_report


class Command(BaseCommand):
    help = "탭 × 추천 근거 × 실험군 × 모델 버전별 노출, 클릭, 클릭률(95% 구간), 클릭 후 좋아요를 보여 줍니다."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=7, help="최근 며칠 (기본 7)")
        parser.add_argument("--format", choices=("table", "json"), default="table")

    def handle(self, *args, days, format, **options):
        if days < 1:
            raise CommandError("--days는 1 이상이어야 해요.")
        report = recommendation_report(days=days)
        if format == "json":
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
            return
        start, end = (timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") for moment in (report.start, report.end))
        self.stdout.write(f"추천 성과 {start} ~ {end} (최근 {days}일)")
        if report.cut_before:
            cut = timezone.localtime(report.cut_before).strftime("%Y-%m-%d %H:%M")
            self.stdout.write(f"주의: {cut} 이전 노출·클릭은 보존 기간({report.retention_days}일)이 지나 삭제되었어요.")
        header = ("tab", "source", "arm", "model_version", "impressions", "clicks", "ctr", "ctr 95% CI", "likes_after_click")
        lines = []
        for row in report.rows:
            lines.append((row.tab, row.source or "-", row.arm or "-", row.model_version or "-", str(row.impressions),
                          str(row.clicks), row.ctr_display, row.interval_display, str(row.likes_after_click)))
        if not lines:
            self.stdout.write("이 기간에 기록된 노출이나 클릭이 없어요.")
            return
        widths = [max(len(header[i]), *(len(line[i]) for line in lines)) for i in range(len(header))]
        numeric = set(range(4, len(header)))

        def render(cells):
            return "  ".join(cell.rjust(widths[i]) if i in numeric else cell.ljust(widths[i]) for i, cell in enumerate(cells))

        self.stdout.write(render(header))
        self.stdout.write("  ".join("-" * width for width in widths))
        for line in lines:
            self.stdout.write(render(line))
