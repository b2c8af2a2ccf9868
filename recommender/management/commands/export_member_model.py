import joblib
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from recommender.model_store import ModelUnavailable
from recommender.models import LearningEvent
from recommender.export import member_pipeline


class Command(BaseCommand):
    help = "회원의 개인 모델을 일반 scikit-learn Pipeline(joblib)으로 내보냅니다 (기반 모델 + 그 회원의 학습 이벤트)."

    def add_arguments(self, parser):
        parser.add_argument("email", help="회원 이메일")
        parser.add_argument("path", help="쓸 .pkl 파일 경로")

    def handle(self, *args, **options):
        member = get_user_model().objects.filter(email__iexact=options["email"]).first()
        if member is None:
            raise CommandError(f"{options['email']} 회원이 없습니다.")
        try:
            pipeline = member_pipeline(member=member)
        except ModelUnavailable as error:
            raise CommandError(str(error)) from error
        try:
            joblib.dump(pipeline, options["path"])
        except OSError as error:
            raise CommandError(f"{options['path']}에 쓸 수 없습니다: {error}") from error
        events = member.learning_events.filter(state=LearningEvent.State.LEARNED).count()
        self.stdout.write(self.style.SUCCESS(f"{member.email}의 모델(학습 이벤트 {events}개 반영)을 {options['path']}에 썼습니다."))
