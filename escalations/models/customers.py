"""Customers. A customer's name, contact details and notes are personal data: only roles
with ``core.view_customer_personal_data`` see them (``escalations/visibility.py``), a
manager can export everything held about a customer and erase it on request
(``escalations/services/``), and erasure reaches the history rows too.
"""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse

from core.audit import History
from core.fields import FreeCharField, FreeTextField

from ..choices import CustomerTier

# Erased customers keep a unique tombstone reference; nobody may type one by hand.
ERASED_REFERENCE_PREFIX = "ERASED-"


class Customer(models.Model):
    """A customer whose escalations the desk works. Personal data is role-restricted."""

    name = FreeCharField(max_length=200)
    account_reference = models.CharField(
        max_length=40, unique=True,
        help_text="The account number in the billing or CRM system, e.g. ACC-104233.",
    )
    tier = models.CharField(max_length=20, choices=CustomerTier.choices,
                            default=CustomerTier.STANDARD)
    annual_value = models.DecimalField(
        max_digits=14, decimal_places=2, default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text="What the account is worth a year (money: visible to finance roles).",
    )
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    address = FreeTextField(blank=True)
    notes = FreeTextField(blank=True, help_text="Card numbers are masked on input.")
    erased_at = models.DateTimeField(
        null=True, blank=True, editable=False,
        help_text="When the personal data was erased on the customer's request.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = History()

    class Meta:
        ordering = ["account_reference"]
        indexes = [models.Index(fields=["tier"], name="customer_tier_idx")]
        permissions = [
            ("erase_customer",
             "Can export and erase a customer's personal data on request"),
        ]

    def __str__(self):
        # The account reference, never the name: this string reaches admin logs,
        # messages and pages that roles without personal-data access read.
        return self.account_reference

    def get_absolute_url(self):
        return reverse("escalations:customer", args=[self.pk])

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None
