"""Background tasks (Django's tasks API through the django-tasks backport). The queue backend is
a setting (TASKS): the database by default, RQ on Redis for sites that outgrow one machine."""
from django_tasks import task

from recommender import member_models


@task()
def take_in_member_events_task(member_id: int) -> int:
    """Take the member's pending learning events into their counts; returns their learned-event count."""
    state = member_models.take_in_member_events(member_id=member_id)
    return state.row.event_count if state is not None else 0
