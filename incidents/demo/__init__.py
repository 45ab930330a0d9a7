"""The incident demo: six months of contact-center incidents and a few live ones."""

from .seeding import already_seeded, seed_incidents  # noqa: F401
