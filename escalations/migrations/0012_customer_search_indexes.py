"""Global search finds customers by account number (and name) without a table scan
on PostgreSQL: trigram GIN indexes (core/search_indexes.py). Nothing on SQLite."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from core.search_indexes import trigram_indexes


class Migration(migrations.Migration):
    dependencies = [("escalations", "0011_pause_cap_unit")]

    operations = [
        TrigramExtension(),
        trigram_indexes("escalations_customer", {
            "search_customer_account_trgm": "account_reference",
            "search_customer_name_trgm": "name",
        }),
    ]
