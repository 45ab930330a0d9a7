"""Escalation state groups as queries: ``Escalation.objects.open()`` / ``finished()``.

The groups themselves are ``choices.OPEN_STATES`` and ``choices.FINISHED_STATES``;
the model's ``is_open`` / ``is_finished`` answer the same question for one row.
"""

from django.db import models

from .choices import FINISHED_STATES, OPEN_STATES


class EscalationQuerySet(models.QuerySet):
    def open(self):
        """The desk still owes the customer something (new … awaiting customer)."""
        return self.filter(state__in=OPEN_STATES)

    def finished(self):
        """Closed or withdrawn: nothing changes any more."""
        return self.filter(state__in=FINISHED_STATES)
