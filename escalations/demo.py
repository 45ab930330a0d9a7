"""Demo customers: forty accounts across every tier, added through the services.

Contact details are fictional and unroutable: ``example.*`` email domains and the
UK's reserved drama numbers (07700 900xxx). Idempotent: customers already there
(by account reference) are left as they are.
"""

import re
import unicodedata
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from . import services
from .choices import CustomerTier
from .models import Customer

T = CustomerTier

# (name, tier, annual value, town, note)
CUSTOMERS = [
    ("Harriet Okafor", T.VIP, "84000", "Leeds", "Prefers email; copy her PA on updates."),
    ("Northgate Dental Group", T.HIGH_VALUE, "412500", "Manchester",
     "Twelve practices on one contract; renewal due in spring."),
    ("Tomasz Wiśniewski", T.STANDARD, "540", "Bradford", ""),
    ("Priya Raman", T.PRIORITY, "2400", "Leicester", "Complained twice about hold times."),
    ("Aled Pritchard", T.STANDARD, "480", "Cardiff", ""),
    ("Brightwell Logistics Ltd", T.HIGH_VALUE, "265000", "Felixstowe",
     "Fleet telematics plus contact-center overflow."),
    ("Siobhán Gallagher", T.PRIORITY, "3100", "Belfast", ""),
    ("Marcus Bell", T.STANDARD, "360", "Sheffield", ""),
    ("Chen Wei", T.VIP, "56000", "London", "Board member of a partner; handle personally."),
    ("Fatima Zahra El Idrissi", T.STANDARD, "600", "Birmingham", "Arabic or French preferred."),
    ("Rowan & Finch Solicitors", T.PRIORITY, "18400", "York", ""),
    ("Gareth Llewellyn", T.STANDARD, "420", "Swansea", ""),
    ("Olusegun Adeyemi", T.PRIORITY, "2800", "Croydon", ""),
    ("Emily Hartmann", T.STANDARD, "300", "Bristol", ""),
    ("Kestrel Home Insurance", T.HIGH_VALUE, "730000", "Norwich",
     "White-label claims line; their regulator copies us on complaints."),
    ("Isla MacLeod", T.STANDARD, "390", "Inverness", ""),
    ("Dr Anjali Mehta", T.VIP, "47500", "Oxford", "Do not call before 10:00."),
    ("Luca Bianchi", T.STANDARD, "510", "Edinburgh", ""),
    ("Niamh O'Sullivan", T.PRIORITY, "2650", "Cork", ""),
    ("Pennine Housing Association", T.PRIORITY, "21900", "Halifax",
     "Tenants call on their behalf; verify the tenancy reference."),
    ("Jamal Haddad", T.STANDARD, "450", "Nottingham", ""),
    ("Sophie Laurent", T.STANDARD, "330", "Brighton", ""),
    ("Ravi Chandrasekaran", T.VIP, "61200", "Reading", "Executive sponsor at Telvia."),
    ("Grace Mwangi", T.STANDARD, "560", "Coventry", ""),
    ("Oakridge Veterinary Clinics", T.PRIORITY, "14800", "Exeter", ""),
    ("Daniel Kowalczyk", T.STANDARD, "280", "Hull", ""),
    ("Beatriz Santos", T.PRIORITY, "1950", "Southampton", ""),
    ("Callum Fraser", T.STANDARD, "470", "Aberdeen", ""),
    ("Meridian Travel plc", T.HIGH_VALUE, "388000", "Gatwick",
     "Peak season June–August; agree changes with their ops director."),
    ("Yusuf Demir", T.STANDARD, "350", "Luton", ""),
    ("Eleanor Whitcombe", T.VIP, "39000", "Bath", "Long-standing customer since 2009."),
    ("Hannah Schofield", T.PRIORITY, "2200", "Wakefield", "Hearing impaired: text relay."),
    ("Kwame Asante", T.STANDARD, "610", "Milton Keynes", ""),
    ("Ingrid Svensson", T.STANDARD, "300", "Durham", ""),
    ("Thames Valley Credit Union", T.PRIORITY, "26500", "Slough", ""),
    ("Arjun Kapoor", T.STANDARD, "440", "Wolverhampton", ""),
    ("Lucy Brennan", T.PRIORITY, "2350", "Galway", ""),
    ("Mohammed Al-Sayed", T.VIP, "52800", "Manchester", "Arabic-speaking agent if possible."),
    ("Zofia Nowak", T.STANDARD, "380", "Peterborough", ""),
    ("Sam Whitaker", T.STANDARD, "290", "Lincoln", "Recently bereaved: account holder changed."),
]


def _email(name: str, index: int) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_name.lower())
    domain = ("example.com", "example.org", "example.net")[index % 3]
    return f"{'.'.join(words)}@{domain}"


def seed_customers() -> int:
    """Add the demo customers that are missing; returns how many were added."""
    manager = get_user_model().objects.filter(username="manager").first()
    if manager is None:
        return 0
    existing = set(Customer.objects.values_list("account_reference", flat=True))
    added = 0
    with transaction.atomic():
        for index, (name, tier, value, town, note) in enumerate(CUSTOMERS):
            reference = f"ACC-{104200 + index * 37}"
            if reference in existing:
                continue
            services.customer_create(
                by=manager, name=name, account_reference=reference, tier=tier,
                annual_value=Decimal(value), email=_email(name, index),
                phone=f"07700 900{100 + index * 7:03d}",
                address=f"{10 + index} High Street\n{town}", notes=note,
            )
            added += 1
    return added
