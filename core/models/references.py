from django.db import models


class ReferenceCounter(models.Model):
    """The last number handed out for one reference series (``INC-2026``).

    Locked (``SELECT … FOR UPDATE``) and incremented inside the transaction that
    creates the numbered object, so concurrent creations queue on this one row
    instead of racing to the same "highest existing + 1"; a rolled-back creation
    rolls its number back too, so series have no gaps. Bookkeeping, not a domain
    object: no history.
    """

    series = models.CharField(max_length=40, unique=True)
    last_number = models.PositiveBigIntegerField(default=0)

    def __str__(self):
        return f"{self.series}: {self.last_number}"
