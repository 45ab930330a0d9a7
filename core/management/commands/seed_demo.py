"""Load a believable contact center's demo data.

Idempotent: a second run finds everything in place and changes nothing (a demo
user whose password you changed keeps your password). Each app registers its own
seeders (``core.registry.DemoSeeder``); this command runs them in order.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from core.audit import acting_as, system_user
from core.demo import DEMO_PASSWORD
from core.registry import DemoContext, demo_seeders


class Command(BaseCommand):
    help = "Load demo data (people, teams, calendars and each app's history). Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off (never on a production database).",
        )
        parser.add_argument(
            "--without-history",
            action="store_true",
            help="Only people, teams and calendars: no months of incidents.",
        )

    def handle(self, *args, force=False, without_history=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates accounts with a published password; it only runs with "
                "DEBUG=true (or --force on a throwaway database)."
            )
        demo = DemoContext(users={}, shared={"seed_started": timezone.now()})
        with transaction.atomic(), acting_as(system_user()):
            for seeder in demo_seeders():
                if seeder.history and without_history:
                    continue
                seeder.seed(demo)
        self._print_logins(demo.users)

    def _print_logins(self, users):
        self.stdout.write(self.style.SUCCESS("Demo logins (one per role):"))
        self.stdout.write(f"  {'username':<12} {'password':<18} role")
        for username, (user, role) in users.items():
            # Checking each hash would cost a deliberate ~0.3 s per user on every start;
            # a password you changed is yours, so say so instead.
            password = DEMO_PASSWORD if user.created_now else f"{DEMO_PASSWORD}*"
            self.stdout.write(f"  {username:<12} {password:<18} {role}")
        if not all(user.created_now for user, _ in users.values()):
            self.stdout.write("  * unless you changed it since the first run")
