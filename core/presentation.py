"""Small display helpers every app's pages share (labels and safe values; no rules)."""

import re

# Admins type colours; only a plain hex colour ever reaches a style attribute.
HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
DEFAULT_CHIP_COLOUR = "#57606a"


def chip_colour(obj) -> str:
    """The ``colour`` of ``obj`` (a severity…) if it is a safe hex colour, else grey."""
    colour = getattr(obj, "colour", "") or ""
    return colour if HEX_COLOUR.match(colour) else DEFAULT_CHIP_COLOUR


def person_name(user) -> str:
    return (user.get_full_name() or user.username) if user else ""
