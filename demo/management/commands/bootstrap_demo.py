"""Prepare a fresh database for the demo: everything the README's run command needs.

Each step runs only when its result is missing, so running it again changes nothing.
"""
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from activity.models import Activity
from recommender.models import SimilarityIndex


class Command(BaseCommand):
    help = "빈 데이터베이스에 데모 데이터를 준비합니다 (이미 있으면 건너뜁니다)."

    def handle(self, *args, **options):
        call_command("migrate", interactive=False, verbosity=0)
        if Activity.objects.exists():
            self.stdout.write("데모 데이터가 이미 있어 건너뜁니다.")
        else:
            call_command("load_datasets")
        if Path(settings.RECOMMENDER_MODEL_PATH).exists():
            self.stdout.write(f"학습된 모델을 사용합니다: {settings.RECOMMENDER_MODEL_PATH}")
        else:
            self.stdout.write("모델 파일이 없어 새로 학습합니다.")
            call_command("train_recommender", "--from-db")
        if not SimilarityIndex.objects.exists():
            call_command("rebuild_similar_activities")
