from django.apps import AppConfig
from django.core.signals import request_finished


class RecommenderConfig(AppConfig):
    name = "recommender"
    verbose_name = "AI 추천"

    def ready(self):
        from recommender.services import take_in_logged_events

        request_finished.connect(take_in_logged_events, dispatch_uid="recommender.take_in_logged_events")
