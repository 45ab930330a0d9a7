from django.db import migrations

from core.trigram import trigram_indexes


class Migration(migrations.Migration):

    dependencies = [
        ("escalations", "0011_pause_cap_unit"),
    ]

    operations = [
        # ?search=… on the queue and the API (reference, summary): pg_trgm GIN indexes,
        # PostgreSQL only.
        trigram_indexes("escalations_escalation", {
            "escalation_reference_trgm": "reference",
            "escalation_summary_trgm": "summary",
        }),
    ]
