"""Seed example regulatory regimes and the default compensation approval limits.

The regimes are examples, marked ``is_example``: rules change, and each desk must
check them against the regulator's current text (and set the calendar whose days
count) before relying on them. A regime already present (same code) is left alone,
so an installation's own corrections survive.
"""

from decimal import Decimal

from django.db import migrations

EXAMPLE = "Example seeded by Switchboard: check against the current rules before relying on it."

REGIMES = [
    {
        "code": "uk-fca-disp",
        "name": "UK FCA DISP 1.6 — financial services complaints",
        "jurisdiction": "United Kingdom",
        "final_response_days": 56,
        "counting": "calendar_days",
        "description": "A final response (or a holding response explaining the delay and the "
                       "customer's right to go to the Financial Ombudsman) by the end of eight "
                       "weeks after receipt.",
        "reference_url": "https://www.handbook.fca.org.uk/handbook/DISP/1/6.html",
    },
    {
        "code": "uk-fca-psd",
        "name": "UK FCA DISP 1.6.2A — payment services complaints",
        "jurisdiction": "United Kingdom",
        "final_response_days": 15,
        "counting": "business_days",
        "extended_days": 35,
        "extension_conditions": "In exceptional circumstances beyond the firm's control: a "
                                "holding reply by day 15 giving the reasons, and the final "
                                "response by day 35.",
        "description": "Payment services and e-money complaints: final response within 15 "
                       "business days of receipt.",
        "reference_url": "https://www.handbook.fca.org.uk/handbook/DISP/1/6.html",
    },
    {
        "code": "uk-ofcom-complaints",
        "name": "UK Ofcom — communications provider complaints (ADR after 8 weeks)",
        "jurisdiction": "United Kingdom",
        "final_response_days": 56,
        "counting": "calendar_days",
        "description": "After eight weeks without resolution (or on a deadlock letter) the "
                       "customer may take the complaint to the provider's ADR scheme.",
        "reference_url": "https://www.ofcom.org.uk/",
    },
    {
        "code": "eu-psd2-art101",
        "name": "EU PSD2 Art. 101 — payment services complaints",
        "jurisdiction": "European Union",
        "final_response_days": 15,
        "counting": "business_days",
        "extended_days": 35,
        "extension_conditions": "Exceptionally, a holding reply with the reasons for the delay "
                                "and the date of the final reply, which may not exceed 35 "
                                "business days.",
        "description": "Reply on paper or another durable medium to all points raised within "
                       "15 business days of receipt.",
        "reference_url": "https://eur-lex.europa.eu/eli/dir/2015/2366/oj",
    },
    {
        "code": "ie-cbi-cpc",
        "name": "Ireland Central Bank Consumer Protection Code — complaints",
        "jurisdiction": "Ireland",
        "final_response_days": 40,
        "counting": "business_days",
        "description": "Attempt to investigate and resolve a complaint within 40 business days "
                       "of receipt, with regular written updates.",
        "reference_url": "https://www.centralbank.ie/",
    },
    {
        "code": "au-asic-rg271",
        "name": "Australia ASIC RG 271 — internal dispute resolution",
        "jurisdiction": "Australia",
        "final_response_days": 30,
        "counting": "calendar_days",
        "description": "A written IDR response within 30 calendar days of receipt for most "
                       "complaints (shorter or longer periods apply to some products).",
        "reference_url": "https://asic.gov.au/regulatory-resources/find-a-document/"
                         "regulatory-guides/rg-271-internal-dispute-resolution/",
    },
    {
        "code": "us-cfpb-portal",
        "name": "US CFPB — complaints sent through the CFPB portal",
        "jurisdiction": "United States",
        "final_response_days": 15,
        "counting": "calendar_days",
        "extended_days": 60,
        "extension_conditions": "When the complaint needs more work: an initial response "
                                "within 15 days saying so, and the final response within 60.",
        "description": "Companies respond to complaints the CFPB forwards within 15 days.",
        "reference_url": "https://www.consumerfinance.gov/complaint/",
    },
]

# Role name → most it may approve (None: no limit).
LIMITS = {"Escalation Lead": Decimal("250.00"), "Manager": None}


def seed(apps, schema_editor):
    Regime = apps.get_model("escalations", "RegulatoryRegime")
    Limit = apps.get_model("escalations", "CompensationApprovalLimit")
    Group = apps.get_model("auth", "Group")
    for row in REGIMES:
        fields = {**row, "description": f"{row['description']}\n\n{EXAMPLE}",
                  "is_example": True}
        Regime.objects.get_or_create(code=row["code"], defaults=fields)
    for role, limit in LIMITS.items():
        group, _ = Group.objects.get_or_create(name=role)
        Limit.objects.get_or_create(role=group, defaults={"limit": limit})


class Migration(migrations.Migration):

    dependencies = [
        ("escalations", "0004_regimes_compensation_links"),
        ("core", "0002_seed_roles"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
