import pandas as pd
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from recommender.core.text import RELATED_NOUNS_FILE, write_related_nouns
from recommender.training import TrainingDataError, features_and_target
from teenplay.files import replaced_together

DEFAULT_CSV = settings.BASE_DIR / "datasets" / "activities.csv"


class Command(BaseCommand):
    help = ("활동 글 앞부분의 명사마다 kiwipiepy가 꼽는 관련 명사를 미리 물어 "
            f"{RELATED_NOUNS_FILE.name}에 저장합니다 (학습, 색인, 웹 프로세스의 첫 요청이 다시 묻지 않습니다).")

    def add_arguments(self, parser):
        parser.add_argument("--csv", default=str(DEFAULT_CSV), help="datasets/activities.csv 형식의 CSV")
        parser.add_argument("--output", default=str(RELATED_NOUNS_FILE), help="저장할 파일 (기본: 함께 배포되는 파일)")

    def handle(self, *args, **options):
        try:
            texts, _ = features_and_target(pd.read_csv(options["csv"]))
        except (OSError, ValueError, TrainingDataError) as error:
            raise CommandError(f"활동 CSV를 읽지 못해 파일을 바꾸지 않았습니다: {error}") from error
        with replaced_together([options["output"]]) as (temporary,):
            count = write_related_nouns(texts, temporary)
        self.stdout.write(self.style.SUCCESS(f"명사 {count:,}개의 관련 명사를 {options['output']}에 저장했습니다."))
