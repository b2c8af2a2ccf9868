import pandas as pd
from django.core.management.base import BaseCommand, CommandError

from activity.selectors import EXPORT_COLUMNS, activities_for_export


class Command(BaseCommand):
    help = "사용 중인 모든 활동을 카테고리와 함께 CSV로 내보냅니다 (학습용)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="쓸 CSV 파일 경로")

    def handle(self, *args, **options):
        rows = activities_for_export()
        try:
            pd.DataFrame(rows, columns=list(EXPORT_COLUMNS)).to_csv(options["path"], index=False, encoding="utf-8-sig")
        except OSError as error:
            raise CommandError(f"{options['path']}에 쓸 수 없습니다: {error}") from error
        self.stdout.write(self.style.SUCCESS(f"활동 {len(rows)}개를 {options['path']}에 썼습니다."))
