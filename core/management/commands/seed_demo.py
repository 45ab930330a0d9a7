"""Load a believable contact center's demo data.

Idempotent: a second run finds everything in place and changes nothing (a demo
user whose password you changed keeps your password). Each app adds its own demo
data here as it lands.
"""

from datetime import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from core.audit import acting_as, audited, system_user
from core.calendars import calendar_save, holidays_generate
from core.choices import Role
from core.models import BusinessCalendar, Team
from core.roles import STAFF_ROLES
from escalations.demo import seed_customers, seed_escalations
from incidents.demo import seed_incidents

DEMO_PASSWORD = "switchboard-demo"  # noqa: S105 - printed on purpose: demo accounts only

# username, first name, last name, role, team slugs
DEMO_USERS = [
    ("manager", "Maria", "Okafor", Role.MANAGER, ["cc-operations"]),
    ("responder", "Ivan", "Petrov", Role.INCIDENT_RESPONDER, ["cc-operations", "major-incidents"]),
    ("escalation", "Elena", "García", Role.ESCALATION_LEAD, ["escalation-desk"]),
    ("vendor", "Victor", "Nakamura", Role.VENDOR_MANAGER, ["vendor-management"]),
    ("finance", "Fiona", "Byrne", Role.FINANCE, ["finance-partners"]),
    ("viewer", "Vera", "Lindqvist", Role.VIEWER, []),
]

WEEKDAYS_9_TO_5 = [(day, time(9), time(17)) for day in range(5)]
EXTENDED_HOURS = [(day, time(8), time(20)) for day in range(5)] + [(5, time(9), time(13))]

# name, time zone, holiday country, subdivision, working ranges
DEMO_CALENDARS = [
    ("UK office hours", "Europe/London", "GB", "ENG", WEEKDAYS_9_TO_5),
    ("UK contact center (extended)", "Europe/London", "GB", "ENG", EXTENDED_HOURS),
    ("US East office hours", "America/New_York", "US", "NY", WEEKDAYS_9_TO_5),
]

DEMO_TEAMS = [
    ("cc-operations", "Contact Center Operations",
     "Runs the floor: queues, routing, real-time adherence.", "manager"),
    ("major-incidents", "Major Incident Team",
     "Commanders and responders for channel outages.", "responder"),
    ("escalation-desk", "Escalation Desk",
     "L2 desk for complaints, VIPs and regulatory cases.", "escalation"),
    ("vendor-management", "Vendor Management",
     "BPO, carrier and CCaaS contracts and reviews.", "vendor"),
    ("finance-partners", "Finance Partners",
     "Budgets, spend and ROI of operations tooling.", "finance"),
]


class Command(BaseCommand):
    help = "Load demo data (teams, one user per role). Safe to run again."

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
        with transaction.atomic(), acting_as(system_user()):
            users = self._users()
            self._teams(users)
            self._calendars()
            if not without_history:
                seed_incidents()
                seed_customers()
                seed_escalations()
        self._print_logins(users)

    def _users(self):
        user_model = get_user_model()
        users = {}
        for username, first, last, role, _teams in DEMO_USERS:
            user = user_model.objects.filter(username=username).first()
            created_now = user is None
            if created_now:
                user = user_model(
                    username=username,
                    first_name=first,
                    last_name=last,
                    email=f"{username}@switchboard.example",
                    is_staff=role in STAFF_ROLES,
                )
                user.set_password(DEMO_PASSWORD)
                user.save()
                user.groups.add(Group.objects.get(name=role))
            user.created_now = created_now
            users[username] = (user, role)
        return users

    def _teams(self, users):
        for slug, name, description, lead in DEMO_TEAMS:
            if Team.objects.filter(slug=slug).exists():
                continue
            team = Team(slug=slug, name=name, description=description, lead=users[lead][0],
                        email=f"{slug}@switchboard.example")
            with audited(team, by=system_user(), reason="Demo data"):
                team.save()
                team.members.set(
                    users[username][0] for username, *_, slugs in DEMO_USERS if slug in slugs
                )

    def _calendars(self):
        """Business-hours calendars a UK/US contact center would run on."""
        this_year = timezone.now().year
        for name, zone, country, subdivision, ranges in DEMO_CALENDARS:
            if BusinessCalendar.objects.filter(name=name).exists():
                continue
            calendar = calendar_save(
                calendar=BusinessCalendar(name=name, time_zone=zone),
                ranges=ranges, by=system_user(), reason="Demo data",
            )
            holidays_generate(calendar=calendar, country=country, subdivision=subdivision,
                              year_from=this_year - 1, year_to=this_year + 1, by=system_user())

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
