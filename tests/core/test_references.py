"""References: one allocator for every numbered object."""

import pytest
from django.db import transaction
from django.utils import timezone

from core.models import ReferenceCounter
from core.references import allocate_reference
from incidents.models import Incident
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _incident(reference):
    return Incident.objects.create(reference=reference, title="Old", declared_by=UserFactory(),
                                   declared_at=timezone.now())


def test_a_new_series_starts_at_one():
    assert allocate_reference(Incident.objects, prefix="INC", year=2031) == "INC-2031-0001"
    assert allocate_reference(Incident.objects, prefix="INC", year=2031) == "INC-2031-0002"
    assert allocate_reference(Incident.objects, prefix="INC", year=2032) == "INC-2032-0001"


def test_a_series_continues_after_references_already_in_use():
    """Upgrading an installation that numbered by "highest + 1": no number reused."""
    _incident("INC-2031-0007")
    _incident("INC-2031-10012")  # past 9999: sorts before -9999 as text
    _incident("INC-2031-9999")

    assert allocate_reference(Incident.objects, prefix="INC", year=2031) == "INC-2031-10013"


def test_numbers_grow_past_four_digits():
    ReferenceCounter.objects.create(series="ESC-2031", last_number=9999)

    assert allocate_reference(Incident.objects, prefix="ESC", year=2031) == "ESC-2031-10000"


def test_a_rolled_back_creation_gives_its_number_back():
    def refused_declaration():
        with transaction.atomic():
            allocate_reference(Incident.objects, prefix="INC", year=2031)
            raise RuntimeError("declaration refused")

    with pytest.raises(RuntimeError):
        refused_declaration()

    assert allocate_reference(Incident.objects, prefix="INC", year=2031) == "INC-2031-0001"
