"""Roles and what each may do, declared once.

A role is a Django group. ``ROLE_GRANTS`` says which permissions each group holds,
by app and action, so a model added later by an app is covered without editing
this file: its permissions are granted the next time ``migrate`` runs
(``sync_role_groups`` is connected to ``post_migrate``; the data migration
``core/migrations/0002_seed_roles.py`` creates the groups the first time).

History is read-only: no role is ever granted add/change/delete on a historical
model, whatever its grants say.
"""

from dataclasses import dataclass

from django.contrib.auth.management import create_permissions

from .choices import Role

VIEW = ("view",)
EDIT = ("view", "add", "change")
ALL = ("view", "add", "change", "delete")

# Apps whose models hold money; only roles with core.view_money see them at all.
MONEY_APPS = ("budgets",)
DOMAIN_APPS = ("core", "incidents", "escalations", "vendors", "playbooks", "budgets", "reports")
NON_MONEY_APPS = tuple(app for app in DOMAIN_APPS if app not in MONEY_APPS)


@dataclass(frozen=True)
class Grant:
    """``actions`` on every model of ``app`` (or only ``models``, by model name)."""

    app: str
    actions: tuple[str, ...]
    models: tuple[str, ...] = ()


def _on(apps, actions, models=()):
    return [Grant(app, actions, models) for app in apps]


ROLE_GRANTS: dict[str, list[Grant]] = {
    Role.MANAGER: [
        *_on(DOMAIN_APPS, ALL),
        # Custom permissions are prefixes too: close_incident.
        Grant("incidents", ("close",)),
        Grant("escalations", ("erase", "approve")),
        Grant("playbooks", ("publish",)),
        Grant("auth", VIEW, ("user", "group")),
    ],
    Role.INCIDENT_RESPONDER: [
        *_on(NON_MONEY_APPS, VIEW),
        Grant("incidents", EDIT, ("incident", "timelineevent", "statusupdate", "postmortem",
                                  "actionitem")),
        # Links the escalations an incident caused, from the incident page.
        Grant("escalations", EDIT, ("escalationincidentlink",)),
        Grant("playbooks", EDIT, ("playbookrun", "steprun")),
    ],
    Role.ESCALATION_LEAD: [
        *_on(NON_MONEY_APPS, VIEW),
        # Works customers and escalations; SLA policies are managers' configuration.
        Grant("escalations", EDIT, ("customer", "escalation", "escalationtimelineevent",
                                    "escalationincidentlink")),
        # Approves compensation up to the role's limit (CompensationApprovalLimit).
        Grant("escalations", ("approve",), ("escalation",)),
        Grant("playbooks", EDIT, ("playbookrun", "steprun")),
    ],
    Role.VENDOR_MANAGER: [
        *_on(DOMAIN_APPS, VIEW),
        Grant("vendors", ALL),
        Grant("reports", EDIT),
    ],
    Role.FINANCE: [
        *_on(DOMAIN_APPS, VIEW),
        Grant("budgets", ALL),
        Grant("reports", EDIT),
    ],
    Role.VIEWER: [
        *_on(NON_MONEY_APPS, VIEW),
    ],
}

# Cross-cutting capabilities (core.Capability), granted explicitly by name.
ROLE_CAPABILITIES: dict[str, tuple[str, ...]] = {
    Role.MANAGER: ("view_money", "view_customer_personal_data", "view_audit_history"),
    Role.INCIDENT_RESPONDER: (),
    Role.ESCALATION_LEAD: ("view_customer_personal_data",),
    Role.VENDOR_MANAGER: ("view_money",),
    Role.FINANCE: ("view_money",),
    Role.VIEWER: ("view_audit_history",),
}

# Roles that work in the Django admin (it is where configuration lives).
STAFF_ROLES = (Role.MANAGER, Role.VENDOR_MANAGER)

_CAPABILITY_CODENAMES = {c for caps in ROLE_CAPABILITIES.values() for c in caps}


def has_any_role(user) -> bool:
    """Whether ``user`` has been given a role (superusers count as having every one).

    Someone signed in with no role yet sees nothing of the work: the dashboard tells
    them to ask a manager rather than showing figures about people and work.
    """
    if not user.is_authenticated:
        return False
    return user.is_superuser or user.groups.filter(name__in=Role.values).exists()


def permissions_for_role(role: str, *, permission_model):
    """The queryset of permissions ``role`` should hold."""
    from django.db.models import Q

    query = Q(pk__in=[])
    for grant in ROLE_GRANTS[role]:
        for action in grant.actions:
            clause = Q(content_type__app_label=grant.app, codename__startswith=f"{action}_")
            if grant.models:
                clause &= Q(content_type__model__in=grant.models)
            if action != "view":
                # Audit history is read-only for everyone.
                clause &= ~Q(content_type__model__startswith="historical")
            query |= clause
    capabilities = ROLE_CAPABILITIES[role]
    if capabilities:
        query |= Q(content_type__app_label="core", codename__in=capabilities)
    # Capability codenames start with "view_" too; only the explicit list grants them.
    excluded = _CAPABILITY_CODENAMES - set(capabilities)
    return permission_model.objects.filter(query).exclude(
        content_type__app_label="core", codename__in=excluded
    )


def sync_role_groups(apps=None):
    """Create the role groups if missing and set exactly their permissions.

    ``apps`` is a migration's app registry, or None for the live one.
    Idempotent: running it twice changes nothing.
    """
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for role in Role.values:
        group, _ = group_model.objects.get_or_create(name=role)
        group.permissions.set(permissions_for_role(role, permission_model=permission_model))


def ensure_permissions_exist(apps, using="default"):
    """Create every model's permissions now (Django normally does it after migrate).

    ``apps`` may be a migration's app registry: the permissions are then those of
    the models as they stand at that point of the migration history.
    """
    from django.apps import apps as global_apps

    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using, apps=apps)


def sync_after_migrate(sender, using="default", **kwargs):
    """post_migrate receiver: permissions for every app first, then the groups, then
    the built-in rows (24×7 calendar) everything else relies on."""
    from django.apps import apps as global_apps

    from .calendars import ensure_builtin_calendar

    ensure_permissions_exist(global_apps, using=using)
    sync_role_groups()
    # Seeded data every installation relies on, restored after a flush too.
    ensure_builtin_calendar()
