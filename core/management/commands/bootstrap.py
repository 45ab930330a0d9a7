"""Everything `make run` needs before starting, in one process (one Django start-up
instead of three): migrate, demo data, static files."""

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Migrate, load the demo data and collect static files (development set-up)."

    def handle(self, *args, **options):
        call_command("migrate", interactive=False, verbosity=0)
        call_command("seed_demo", stdout=self.stdout)
        call_command("collectstatic", interactive=False, verbosity=0)
