"""?search on the queue and the API (reference, summary) without a table scan on
PostgreSQL: trigram GIN indexes (core/search_indexes.py). Nothing on SQLite."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from core.search_indexes import trigram_indexes


class Migration(migrations.Migration):

    dependencies = [
        ("escalations", "0012_customer_search_indexes"),
    ]

    operations = [
        TrigramExtension(),
        trigram_indexes("escalations_escalation", {
            "escalation_reference_trgm": "reference",
            "escalation_summary_trgm": "summary",
        }),
    ]
