"""PCI redaction: card numbers never reach the database.

Free text that agents type (descriptions, notes, status updates) may contain a
payment card number read out by a customer. Any run of 13–19 digits (spaces or
dashes allowed between them) that passes the Luhn check is masked to its last four
digits on input; the caller records that masking happened.
"""

import re

# 13–19 digits, optionally separated by single spaces or dashes, not inside a longer number.
CARD_CANDIDATE = re.compile(r"(?<![\d-])(?:\d[ -]?){12,18}\d(?![\d])")


def luhn_valid(digits: str) -> bool:
    """The Luhn checksum every payment card number satisfies."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def redact_card_numbers(text: str) -> tuple[str, int]:
    """``(text with card numbers masked, how many were masked)``.

    ``4111 1111 1111 1111`` becomes ``•••• •••• •••• 1111`` — the last four digits
    stay so an agent can still refer to the card. Digit runs that fail the Luhn
    check (order numbers, phone numbers) are left alone.
    """
    if not text:
        return text, 0
    count = 0

    def mask(match):
        nonlocal count
        raw = match.group(0)
        digits = re.sub(r"\D", "", raw)
        if not 13 <= len(digits) <= 19 or not luhn_valid(digits):
            return raw
        count += 1
        return "[card •••• " + digits[-4:] + "]"

    return CARD_CANDIDATE.sub(mask, text), count
