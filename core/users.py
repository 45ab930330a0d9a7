"""People and their access: invite, roles and teams, deactivate, reactivate, unlock.

Managers (``core.manage_users``) run these from the web pages and the API; no
superuser or admin page is needed. Every change writes an :class:`AccessChange`
(who, when, what, why) and team membership goes through the team's own history.

Guards, checked here so every caller gets them:

* nobody is made a superuser here, and superusers are not managed here (they are
  the command line's: ``createsuperuser``);
* a manager cannot deactivate themselves nor take away their own Manager role
  (they would lock themselves out mid-change);
* the last active manager can neither be deactivated nor lose the Manager role
  (nobody would be left to manage people).

An invitation is a user without a usable password and an email holding a one-time
link to set one (Django's password-reset token: it stops working once the password
is set, or after ``PASSWORD_RESET_TIMEOUT``). The link is mailed directly on commit,
never stored in a notification row, where other people's tools could read it.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .audit import SYSTEM_USERNAME, audited
from .choices import Role
from .models import AccessAction, AccessChange, Team
from .roles import STAFF_ROLES

logger = logging.getLogger(__name__)

MANAGE_PERMISSION = "core.manage_users"
User = get_user_model()


def can_manage_users(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(MANAGE_PERMISSION))


def _check_manager(by):
    if not can_manage_users(by):
        raise PermissionDenied("Only managers manage people and their access.")


def _check_manageable(user):
    if user.is_superuser:
        raise PermissionDenied("Superusers are managed from the command line, not here.")
    if user.username == SYSTEM_USERNAME:
        raise PermissionDenied("The system account is not a person; it cannot be changed.")


def _record(user, *, by, action, detail="", reason=""):
    return AccessChange.objects.create(user=user, by=by, at=timezone.now(), action=action,
                                       detail=detail[:500], reason=(reason or "")[:500])


def user_roles(user) -> list[str]:
    """The user's role names, in the order roles are listed everywhere."""
    names = {group.name for group in user.groups.all()}
    return [role for role in Role.values if role in names]


def active_managers():
    return User.objects.filter(is_active=True, is_superuser=False,
                               groups__name=Role.MANAGER).distinct()


def _clean_roles(roles) -> list[str]:
    roles = list(dict.fromkeys(roles or []))
    unknown = [role for role in roles if role not in Role.values]
    if unknown:
        raise ValidationError({"roles": f"Not a role: {', '.join(unknown)}. Choose from: "
                                        f"{', '.join(Role.values)}."})
    return roles


def _check_not_locking_out(user, *, by, losing_manager: bool):
    """Refuse a change that would leave ``by`` or the whole system without a manager."""
    if not losing_manager:
        return
    if user.pk == by.pk:
        raise ValidationError({"roles": "You cannot take away your own Manager role or "
                                        "deactivate yourself: ask another manager."})
    if not active_managers().exclude(pk=user.pk).exists():
        raise ValidationError({"roles": f"{user.get_username()} is the last active manager: "
                                        "make someone else a manager first."})


def _set_roles(user, roles):
    user.groups.set(Group.objects.filter(name__in=roles))
    # The admin is where configuration lives: only the roles that work there get it.
    staff = any(role in STAFF_ROLES for role in roles)
    if user.is_staff != staff:
        user.is_staff = staff
        user.save(update_fields=["is_staff"])


def _set_teams(user, teams, *, by, reason):
    """Put ``user`` in exactly ``teams``; each team's history records the change."""
    wanted = {team.pk: team for team in teams}
    current = {team.pk: team for team in user.switchboard_teams.all()}
    for pk in wanted.keys() - current.keys():
        with audited(wanted[pk], by=by, reason=f"Added {user.get_username()}: {reason}"):
            wanted[pk].members.add(user)
    for pk in current.keys() - wanted.keys():
        with audited(current[pk], by=by, reason=f"Removed {user.get_username()}: {reason}"):
            current[pk].members.remove(user)
    return sorted(t.name for t in wanted.values()), sorted(t.name for t in current.values())


def set_password_link(user) -> str:
    """The one-time link that lets ``user`` choose a password (an absolute URL)."""
    path = reverse("password_reset_confirm", kwargs={
        "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user)})
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def _send_invitation(user, *, by):
    days = max(1, settings.PASSWORD_RESET_TIMEOUT // 86400)
    inviter = by.get_full_name() or by.get_username()

    def send():
        try:
            send_mail(
                subject="[Switchboard] You are invited to Switchboard",
                message=(
                    f"Hello {user.get_full_name() or user.get_username()},\n\n"
                    f"{inviter} has given you access to Switchboard. Your username is "
                    f"{user.get_username()}. Choose your password here (the link works "
                    f"once, for {days} day{'s' if days != 1 else ''}):\n\n"
                    f"{set_password_link(user)}\n\n"
                    "If the link has expired, ask a manager to send the invitation again."),
                from_email=None, recipient_list=[user.email])
        except Exception:  # noqa: BLE001 - the manager sends it again from the page
            logger.warning("Could not send the invitation to %s.", user.get_username(),
                           exc_info=True)

    transaction.on_commit(send, robust=True)


@transaction.atomic
def user_invite(*, by, username: str, email: str, first_name: str = "", last_name: str = "",
                roles=(), teams=(), reason: str = "") -> User:
    """Add a person with their roles and teams and email them a link to set their
    password. They cannot log in until they have set it."""
    _check_manager(by)
    username, email = (username or "").strip(), (email or "").strip()
    errors = {}
    if not username:
        errors["username"] = "Give the person a username."
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = f"The username {username} is taken."
    if not email:
        errors["email"] = "An invitation needs an email address to go to."
    try:
        roles = _clean_roles(roles)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if not roles and "roles" not in errors:
        errors["roles"] = "Give at least one role: without one the person sees nothing."
    if errors:
        raise ValidationError(errors)
    user = User(username=username, email=email, first_name=(first_name or "").strip(),
                last_name=(last_name or "").strip(), is_active=True)
    user.set_unusable_password()
    user.full_clean()
    user.save()
    _set_roles(user, roles)
    reason = (reason or "").strip() or "Invited"
    added, _ = _set_teams(user, teams, by=by, reason=reason)
    _record(user, by=by, action=AccessAction.INVITED, reason=reason,
            detail=f"Roles: {', '.join(roles)}" + (f"; teams: {', '.join(added)}" if added else ""))
    _send_invitation(user, by=by)
    return user


@transaction.atomic
def user_resend_invitation(*, by, user) -> None:
    """Mail a fresh set-password link (the person has not set a password yet, or
    has forgotten it)."""
    _check_manager(by)
    _check_manageable(user)
    if not user.is_active:
        raise ValidationError("Reactivate the account before inviting the person again.")
    if not user.email:
        raise ValidationError({"email": "The person has no email address to send it to."})
    _record(user, by=by, action=AccessAction.INVITATION_SENT, detail=f"To {user.email}")
    _send_invitation(user, by=by)


@transaction.atomic
def user_update_access(*, by, user, roles=None, teams=None, reason: str = "") -> User:
    """Set the person's roles and/or teams (``None`` leaves one as it is)."""
    _check_manager(by)
    _check_manageable(user)
    user = User.objects.select_for_update().get(pk=user.pk)
    reason = (reason or "").strip()
    if roles is not None:
        roles = _clean_roles(roles)
        before = user_roles(user)
        if roles != before and set(roles) != set(before):
            if not roles:
                raise ValidationError({"roles": "Give at least one role, or deactivate the "
                                                "account instead."})
            losing = Role.MANAGER in before and Role.MANAGER not in roles and user.is_active
            _check_not_locking_out(user, by=by, losing_manager=losing)
            _set_roles(user, roles)
            _record(user, by=by, action=AccessAction.ROLES_CHANGED, reason=reason,
                    detail=f"{', '.join(before) or 'no role'} → {', '.join(roles)}")
    if teams is not None:
        after, before = _set_teams(user, teams, by=by, reason=reason or "Teams changed")
        if after != before:
            _record(user, by=by, action=AccessAction.TEAMS_CHANGED, reason=reason,
                    detail=f"{', '.join(before) or 'no team'} → {', '.join(after) or 'no team'}")
    return user


@transaction.atomic
def user_deactivate(*, by, user, reason: str) -> User:
    """Stop the person logging in (their history and assignments stay)."""
    _check_manager(by)
    _check_manageable(user)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the account is deactivated."})
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        raise ValidationError("This account is already deactivated.")
    if user.pk == by.pk:
        raise ValidationError({"reason": "You cannot deactivate yourself: ask another "
                                         "manager."})
    _check_not_locking_out(user, by=by, losing_manager=Role.MANAGER in user_roles(user))
    user.is_active = False
    user.save(update_fields=["is_active"])
    # Their API tokens stop working with the account; drop them so a reactivation
    # does not revive a token nobody remembers handing out.
    from rest_framework.authtoken.models import Token

    Token.objects.filter(user=user).delete()
    _record(user, by=by, action=AccessAction.DEACTIVATED, reason=reason)
    return user


@transaction.atomic
def user_reactivate(*, by, user, reason: str = "") -> User:
    _check_manager(by)
    _check_manageable(user)
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_active:
        raise ValidationError("This account is already active.")
    user.is_active = True
    user.save(update_fields=["is_active"])
    _record(user, by=by, action=AccessAction.REACTIVATED, reason=(reason or "").strip())
    return user


def lockout_state(usernames) -> dict[str, object]:
    """``{username: the instant the lock ends}`` for those locked out now (one query)."""
    from axes.models import AccessAttempt

    since = timezone.now() - settings.AXES_COOLOFF_TIME
    locked = {}
    for username, at in AccessAttempt.objects.filter(
            username__in=list(usernames), attempt_time__gte=since,
            failures_since_start__gte=settings.AXES_FAILURE_LIMIT).values_list(
            "username", "attempt_time"):
        until = at + settings.AXES_COOLOFF_TIME
        locked[username] = max(until, locked.get(username, until))
    return locked


@transaction.atomic
def user_unlock(*, by, user) -> int:
    """Clear the failed logins that locked the person out (from every address)."""
    from axes.utils import reset

    _check_manager(by)
    _check_manageable(user)
    cleared = reset(username=user.get_username())
    if not cleared:
        raise ValidationError("This account is not locked out.")
    _record(user, by=by, action=AccessAction.UNLOCKED,
            detail=f"{cleared} address{'es' if cleared != 1 else ''} cleared")
    return cleared


def teams_for_choice():
    return Team.objects.order_by("name")
