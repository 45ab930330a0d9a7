"""The system actor's permissions.

Background work (the SLA sweep, tier reminders, alert intake, scheduled reports)
acts as ``switchboard-system`` and passes the same permission checks as a person —
no ``by=None`` or ``automatic=True`` bypass. That account is inactive so it can
never sign in (and is never offered as a person to pick), and Django's
``ModelBackend`` grants an inactive user nothing; this backend grants the System
role's permissions (``core.roles.SYSTEM_GRANTS``) to that one account.
Object permissions (``rules`` predicates) then work for it as for anyone.
"""

from django.contrib.auth.backends import BaseBackend
from django.contrib.auth.models import Permission

from .audit import SYSTEM_USERNAME
from .roles import SYSTEM_ROLE


class SystemActorBackend(BaseBackend):
    def authenticate(self, request, **credentials):
        return None  # never signs anyone in

    def get_all_permissions(self, user_obj, obj=None):
        if obj is not None or getattr(user_obj, "username", None) != SYSTEM_USERNAME:
            return set()
        if not hasattr(user_obj, "_system_perm_cache"):
            rows = Permission.objects.filter(group__name=SYSTEM_ROLE).values_list(
                "content_type__app_label", "codename")
            user_obj._system_perm_cache = {f"{app}.{codename}" for app, codename in rows}
        return user_obj._system_perm_cache

    def has_perm(self, user_obj, perm, obj=None):
        return perm in self.get_all_permissions(user_obj, obj)
