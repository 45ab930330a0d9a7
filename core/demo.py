"""The shared kernel's demo data: one person per role, their teams, business calendars.

Registered as the first seeders of ``manage.py seed_demo`` (``core/apps.py``); every
app's seeders run after these and find the people in ``demo.users``.
"""

from datetime import time

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from .audit import audited, system_user
from .calendars import HOLIDAY_HORIZON_YEARS, calendar_save, holidays_generate
from .choices import Role
from .models import BusinessCalendar, Team
from .registry import DemoSeeder, register_demo_seeder
from .roles import STAFF_ROLES

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



def seed_people(demo):
    """One person per role (a password you changed since is kept)."""
    user_model = get_user_model()
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
        demo.users[username] = (user, role)


def seed_teams(demo):
    for slug, name, description, lead in DEMO_TEAMS:
        if Team.objects.filter(slug=slug).exists():
            continue
        team = Team(slug=slug, name=name, description=description, lead=demo.users[lead][0],
                    email=f"{slug}@switchboard.example")
        with audited(team, by=system_user(), reason="Demo data"):
            team.save()
            team.members.set(
                demo.users[username][0] for username, *_, slugs in DEMO_USERS if slug in slugs
            )


def seed_calendars(demo):
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
                          year_from=this_year - 1, year_to=this_year + HOLIDAY_HORIZON_YEARS,
                          by=system_user())


def settle_history(demo):
    """History is history: what the seeded past made due has happened already.

    The seeders date their work in the past (an escalation opened five days ago), so
    a first worker would fire every warning and breach of those months in its first
    minute — hundreds of emails and unread notices about things long over. Here the
    sweep catches up now, inside the seed, and every notice the seed produced is
    recorded as already read with no email to send. What becomes due after the seed
    (the few live items with deadlines minutes or hours ahead) is told as usual.
    """
    from .models import EmailStatus, Notification
    from .sweep import sweep

    if not any(user.created_now for user, _role in demo.users.values()):
        # A later `make run`: the demo is live; what fell due meanwhile is news.
        return
    sweep()
    started = demo.shared.get("seed_started")
    notices = Notification.objects.filter(read_at__isnull=True)
    if started is not None:
        notices = notices.filter(created_at__gte=started)
    now = timezone.now()
    notices.filter(email_status=EmailStatus.PENDING).update(
        email_status=EmailStatus.NOT_NEEDED, email_next_attempt_at=None)
    notices.update(read_at=now)


def register():
    register_demo_seeder(DemoSeeder("core.people", seed_people, history=False))
    register_demo_seeder(DemoSeeder("core.teams", seed_teams, after=("core.people",),
                                    history=False))
    register_demo_seeder(DemoSeeder("core.calendars", seed_calendars, history=False))
    register_demo_seeder(DemoSeeder("core.settle", settle_history, last=True))
