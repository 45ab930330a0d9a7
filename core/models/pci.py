from django.contrib.contenttypes.models import ContentType
from django.db import models


class CardNumberMasking(models.Model):
    """A record that card numbers typed into a field were masked before saving.

    Written by ``core.signals`` for every save whose free text held one; the number
    itself is never stored anywhere, only where it was and how many.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.CharField(max_length=64)
    field_name = models.CharField(max_length=100)
    count = models.PositiveIntegerField()
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id"],
                                name="card_masking_object_idx")]

    def __str__(self):
        return f"{self.count} card number(s) masked in {self.content_type.model}.{self.field_name}"
