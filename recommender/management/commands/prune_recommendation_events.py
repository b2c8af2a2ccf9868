"""Retention: delete impressions and clicks older than RECOMMENDER_EVENTS_RETENTION_DAYS (run daily)."""
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from recommender.events import prune_recommendation_events


class Command(BaseCommand):
    help = "보존 기간(RECOMMENDER_EVENTS_RETENTION_DAYS, 기본 90일)이 지난 노출과 클릭을 지웁니다."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="보존 기간(일), 설정값 대신")

    def handle(self, *args, days, **options):
        try:
            prune = prune_recommendation_events(days=days)
        except ValueError as error:
            raise CommandError(str(error)) from error
        cutoff = timezone.localtime(prune.cutoff).strftime("%Y-%m-%d %H:%M")
        self.stdout.write(f"{cutoff} 이전 노출 {prune.impressions_deleted}건, 클릭 {prune.clicks_deleted}건을 지웠어요.")
