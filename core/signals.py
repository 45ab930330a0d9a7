"""Receivers the shared kernel connects for every model."""

import logging

from django.contrib.contenttypes.models import ContentType

logger = logging.getLogger(__name__)


def record_card_number_masking(sender, instance, **kwargs):
    """post_save: log where the free-text fields masked card numbers (never the number)."""
    found = getattr(instance, "_card_numbers_masked", None)
    if not found:
        return
    instance._card_numbers_masked = None  # one record per save
    from .models import CardNumberMasking

    content_type = ContentType.objects.get_for_model(sender)
    CardNumberMasking.objects.bulk_create(
        CardNumberMasking(content_type=content_type, object_id=str(instance.pk),
                          field_name=name, count=count)
        for name, count in found.items()
    )
    logger.info("Masked card numbers in %s %s: %s", sender._meta.label, instance.pk, found)
