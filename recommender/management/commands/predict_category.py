import json
import sys

from django.core.management.base import BaseCommand, CommandError

from recommender.model_store import ModelUnavailable
from recommender.active_model import active_model
from recommender.selectors import predict_top_categories


class Command(BaseCommand):
    help = "표준 입력의 한 줄마다 가장 가능성 높은 카테고리 3개를 JSON 한 줄로 씁니다."

    def add_arguments(self, parser):
        parser.add_argument("--top", type=int, default=3, help="몇 개의 카테고리를 쓸지 (기본 3)")

    def handle(self, *args, **options):
        if options["top"] < 1:
            raise CommandError("--top은 1 이상이어야 합니다.")
        try:
            active_model()
        except ModelUnavailable as error:
            raise CommandError(str(error)) from error
        for line in sys.stdin:
            text = line.rstrip("\r\n")
            result = {"text": text, "top": predict_top_categories(text, options["top"])}
            self.stdout.write(json.dumps(result, ensure_ascii=False))
