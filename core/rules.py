"""The shared kernel's own permissions that are not model permissions (see
``core/predicates.py``): who reads the System health page and the development outbox."""

import rules
from django.conf import settings

from .choices import Role


@rules.predicate
def is_manager(user):
    return bool(user) and user.is_active and user.groups.filter(name=Role.MANAGER).exists()


@rules.predicate
def debug_mode():
    return bool(settings.DEBUG)


# People, teams, audited changes and the worker: for managers (and administrators,
# who hold every permission).
rules.add_perm("core.view_system_health", is_manager)
# The emails written to var/mail/ by the development mail backend: only with DEBUG on
# (it holds every person's notices) and only for managers.
rules.add_perm("core.view_dev_outbox", debug_mode & is_manager)
