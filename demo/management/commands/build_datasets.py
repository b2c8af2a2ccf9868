from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from crawler.raw import RawDataError
from demo.building import DEFAULT_SEED, clean_and_enrich


class Command(BaseCommand):
    help = "크롤링 원본 CSV(datasets/raw)를 정제·보강해 DB에 넣을 CSV(datasets/)로 만듭니다."

    def add_arguments(self, parser):
        parser.add_argument("--raw", default=str(settings.BASE_DIR / "datasets" / "raw"), help="원본 CSV 폴더")
        parser.add_argument("--out", default=str(settings.BASE_DIR / "datasets"), help="결과 CSV 폴더")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="난수 시드 (같은 입력·시드 = 같은 결과)")

    def handle(self, *args, **options):
        try:
            result = clean_and_enrich(options["raw"], options["out"], seed=options["seed"])
        except RawDataError as error:
            raise CommandError(f"원본 데이터 오류, 아무것도 쓰지 않았습니다: {error}") from error
        self.stdout.write(self.style.SUCCESS(
            f"모임 {len(result.clubs)}개, 추가 카테고리 {len(result.club_categories)}개, "
            f"활동 {len(result.activities)}개를 {options['out']}에 썼습니다."
        ))
