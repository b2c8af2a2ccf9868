"""Prepare a fresh database for the demo: everything the README's run command needs.

Each step runs only when its result is missing, so running it again changes nothing.
"""
from django.core.management import call_command
from django.core.management.base import BaseCommand

from activity.models import Activity


class Command(BaseCommand):
    help = "빈 데이터베이스에 데모 데이터를 준비합니다 (이미 있으면 건너뜁니다)."

    def handle(self, *args, **options):
        call_command("migrate", interactive=False, verbosity=0)
        if Activity.objects.exists():
            self.stdout.write("데모 데이터가 이미 있어 건너뜁니다.")
        else:
            call_command("load_datasets")
