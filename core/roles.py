"""Roles and what each may do, declared once.

A role is a Django group. ``ROLE_GRANTS`` says which permissions each group holds,
by app and action. Core holds its own grants; each domain app adds its own with
:func:`register_app` from its AppConfig.ready(), so an app added later brings its
permissions without editing this file. They are granted the next time ``migrate`` runs
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


@dataclass(frozen=True)
class Grant:
    """``actions`` on every model of ``app`` (or only ``models``, by model name)."""

    app: str
    actions: tuple[str, ...]
    models: tuple[str, ...] = ()


def _on(apps, actions, models=()):
    return [Grant(app, actions, models) for app in apps]


# Roles that see money (core.view_money); a money app is visible to them only.
MONEY_ROLES = (Role.MANAGER, Role.VENDOR_MANAGER, Role.FINANCE)

# The shared kernel's own grants; every domain app adds its own with register_app().
ROLE_GRANTS: dict[str, list[Grant]] = {
    Role.MANAGER: [Grant("core", ALL), Grant("auth", VIEW, ("user", "group"))],
    Role.INCIDENT_RESPONDER: [Grant("core", VIEW)],
    Role.ESCALATION_LEAD: [Grant("core", VIEW)],
    Role.VENDOR_MANAGER: [Grant("core", VIEW)],
    Role.FINANCE: [Grant("core", VIEW)],
    Role.VIEWER: [Grant("core", VIEW)],
}

# The role of background work (sweeps, alert intake, scheduled reports), held only by
# the system actor (core.audit.system_user): it passes the same permission checks as
# people instead of bypassing them. It changes domain records but takes no decision
# reserved to a person (erasing a customer, approving money, publishing a playbook).
SYSTEM_ROLE = "System"
SYSTEM_GRANTS: list[Grant] = [Grant("core", ALL)]
SYSTEM_CAPABILITIES = ("view_money", "view_customer_personal_data")

_REGISTERED_APPS: set[str] = set()


def register_app(app: str, *, money: bool = False, grants=None, system=(ALL,)):
    """Declare a domain app's permissions (call from its AppConfig.ready()).

    Every role reads the app (a money app: only the roles that see money); the
    Manager may do everything; ``grants`` adds the app's own per role
    (``{Role.INCIDENT_RESPONDER: [Grant("incidents", EDIT, ("incident",))]}``), also
    on other apps' models it works with. ``system`` are the System role's actions.
    Granted at the next ``migrate``. Idempotent.
    """
    if app in _REGISTERED_APPS:
        return
    _REGISTERED_APPS.add(app)
    for role, role_grants in ROLE_GRANTS.items():
        if role == Role.MANAGER:
            role_grants.append(Grant(app, ALL))
        elif not money or role in MONEY_ROLES:
            role_grants.append(Grant(app, VIEW))
    for role, extra in (grants or {}).items():
        ROLE_GRANTS[role].extend(extra)
    SYSTEM_GRANTS.append(Grant(app, tuple(a for actions in system for a in actions)))


# Cross-cutting capabilities (core.Capability), granted explicitly by name.
ROLE_CAPABILITIES: dict[str, tuple[str, ...]] = {
    Role.MANAGER: ("view_money", "view_customer_personal_data", "view_audit_history",
                   "manage_users"),
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
    return permissions_for_grants(ROLE_GRANTS[role], ROLE_CAPABILITIES[role],
                                  permission_model=permission_model)


def permissions_for_grants(grants, capabilities, *, permission_model):
    from django.db.models import Q

    query = Q(pk__in=[])
    for grant in grants:
        for action in grant.actions:
            clause = Q(content_type__app_label=grant.app, codename__startswith=f"{action}_")
            if grant.models:
                clause &= Q(content_type__model__in=grant.models)
            if action != "view":
                # Audit history is read-only for everyone.
                clause &= ~Q(content_type__model__startswith="historical")
            query |= clause
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
    system, _ = group_model.objects.get_or_create(name=SYSTEM_ROLE)
    system.permissions.set(permissions_for_grants(SYSTEM_GRANTS, SYSTEM_CAPABILITIES,
                                                  permission_model=permission_model))
    # The system actor holds the System role (and nothing else).
    from .audit import SYSTEM_USERNAME

    user_model = apps.get_model("auth", "User")
    actor = user_model.objects.filter(username=SYSTEM_USERNAME).first()
    if actor is not None:
        actor.groups.set([system])


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
