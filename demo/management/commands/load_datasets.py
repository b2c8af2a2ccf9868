from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.services import DEMO_ACCOUNTS, DatasetError, load_datasets
from recommender.model_store import ModelUnavailable
from recommender.similar import rebuild_similar_activities


class Command(BaseCommand):
    help = "datasets/의 모임·활동 CSV와 데모 회원을 데이터베이스에 넣습니다 (이미 있는 행은 건너뜁니다)."

    def add_arguments(self, parser):
        parser.add_argument("--dir", default=str(settings.BASE_DIR / "datasets"), help="DB용 CSV 폴더")
        parser.add_argument("--no-progress", action="store_true", help="진행 막대를 숨깁니다")

    def handle(self, *args, **options):
        try:
            report = load_datasets(directory=options["dir"], show_progress=not options["no_progress"])
        except (DatasetError, ValueError, KeyError) as error:
            raise CommandError(f"불러오기에 실패해 아무것도 바꾸지 않았습니다: {error}") from error
        if not report.created_anything:
            self.stdout.write("이미 모두 들어 있어 바뀐 것이 없습니다.")
            return
        self.stdout.write(self.style.SUCCESS(
            f"회원 {report.members}명, 모임 {report.clubs}개, 추가 카테고리 {report.club_categories}개, "
            f"활동 {report.activities}개, 참가 {report.participations}건, 좋아요 {report.likes}건을 넣었습니다."
        ))
        for account in DEMO_ACCOUNTS:
            self.stdout.write(f"  데모 로그인: {account.email} / {account.password}")
        try:
            count = rebuild_similar_activities(show_progress=not options["no_progress"])
            self.stdout.write(f"비슷한 활동 색인을 만들었습니다 (활동 {count}개).")
        except ModelUnavailable as error:
            self.stdout.write(self.style.WARNING(f"비슷한 활동 색인은 모델이 준비된 뒤에 만듭니다: {error}"))
