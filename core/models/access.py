from django.conf import settings
from django.db import models

from ..fields import FreeCharField


class AccessAction(models.TextChoices):
    INVITED = "invited", "Invited"
    INVITATION_SENT = "invitation_sent", "Invitation sent again"
    ROLES_CHANGED = "roles_changed", "Roles changed"
    TEAMS_CHANGED = "teams_changed", "Teams changed"
    DETAILS_CHANGED = "details_changed", "Details changed"
    DEACTIVATED = "deactivated", "Deactivated"
    REACTIVATED = "reactivated", "Reactivated"
    UNLOCKED = "unlocked", "Unlocked after failed logins"


class AccessChange(models.Model):
    """One change to a person's access, made by a manager: who, when, what, why.

    Django's ``User`` keeps no history of its own (and a history of it would copy the
    password hash), so every use case in ``core.users`` writes one of these rows. They
    are the audit trail of access: append-only, never edited, read-only in the admin.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="access_changes")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                           related_name="access_changes_made")
    at = models.DateTimeField(db_index=True)
    action = models.CharField(max_length=32, choices=AccessAction.choices)
    # What changed, in words ("Viewer → Incident Responder"); never a secret.
    detail = FreeCharField(max_length=500, blank=True)
    reason = FreeCharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["user", "-at"], name="core_access_user_at")]

    def __str__(self):
        return f"{self.get_action_display()} ({self.user}) by {self.by} at {self.at:%Y-%m-%d %H:%M}"
