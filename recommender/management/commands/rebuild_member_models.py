from django.core.management.base import BaseCommand, CommandError

from recommender.model_store import ModelUnavailable
from recommender.member_models import rebuild_member_models


class Command(BaseCommand):
    help = "기반 모델이 바뀐 회원 모델을 학습 이벤트 기록으로 다시 만듭니다."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="최신 버전인 회원 모델도 모두 다시 만듭니다")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **options):
        try:
            count = rebuild_member_models(force=options["all"], show_progress=not options["no_progress"])
        except ModelUnavailable as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"회원 모델 {count}개를 다시 만들었습니다."))
