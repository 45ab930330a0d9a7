"""Global search finds vendors and contracts without a table scan on PostgreSQL:
trigram GIN indexes (core/search_indexes.py). Nothing on SQLite."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from core.search_indexes import trigram_indexes


class Migration(migrations.Migration):
    dependencies = [("vendors", "0002_sla_objectives_credits")]

    operations = [
        TrigramExtension(),
        trigram_indexes("vendors_vendor", {"search_vendor_name_trgm": "name"}),
        trigram_indexes("vendors_contract", {
            "search_contract_reference_trgm": "reference",
            "search_contract_title_trgm": "title",
        }),
    ]
