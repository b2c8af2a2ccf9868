from django.core.management.base import BaseCommand, CommandError

from recommender.model_store import ModelUnavailable
from recommender.similar import rebuild_similar_activities


class Command(BaseCommand):
    help = "현재 모델로 '비슷한 활동' 색인을 다시 만듭니다."

    def add_arguments(self, parser):
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **options):
        try:
            count = rebuild_similar_activities(show_progress=not options["no_progress"])
        except ModelUnavailable as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"활동 {count}개의 비슷한 활동 색인을 만들었습니다."))
