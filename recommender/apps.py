from django.apps import AppConfig


class RecommenderConfig(AppConfig):
    name = "recommender"
    verbose_name = "AI 추천"

    def ready(self):
        from member.signals import member_signed_up
        from recommender import member_models

        def give_personal_model(sender, *, member, **kwargs):
            member_models.create_member_model(member=member)  # every member has a model of their own from signup

        member_signed_up.connect(give_personal_model, weak=False, dispatch_uid="recommender.give_personal_model")
