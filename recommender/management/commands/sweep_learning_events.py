import time
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from recommender.member_models import sweep_pending_events


class Command(BaseCommand):
    help = ("아직 반영되지 않은 학습 이벤트를 회원 모델에 반영합니다 (작업 큐가 놓친 것). "
            "--every N이면 N초마다 반복합니다 (Procfile의 clock).")

    def add_arguments(self, parser):
        parser.add_argument("--older-than", type=float, default=0.0,
                            help="이 초보다 오래 기다린 이벤트만 반영합니다 (기본 0: 모두).")
        parser.add_argument("--every", type=float, default=0.0, help="N초마다 반복합니다 (기본 0: 한 번만).")
        parser.add_argument("--no-progress", action="store_true", help="진행 막대를 숨깁니다.")

    def handle(self, *args, older_than, every, no_progress, **options):
        if older_than < 0 or every < 0:
            raise CommandError("--older-than와 --every는 0 이상이어야 해요.")
        while True:
            members = sweep_pending_events(older_than=timedelta(seconds=older_than), show_progress=not no_progress and not every)
            if members or not every:
                self.stdout.write(f"회원 {members}명의 대기 중인 학습 이벤트를 반영했습니다.")
            if not every:
                return
            time.sleep(every)
