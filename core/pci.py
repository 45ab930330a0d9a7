"""PCI redaction: card numbers never reach the database.

Free text that agents type (descriptions, notes, status updates, titles…) may
contain a payment card number read out by a customer. Every free-text model field
is a :class:`core.fields.FreeTextField`/``FreeCharField``, which passes what is saved
through :func:`redact_card_numbers`; the card keeps its last four digits so an agent
can still refer to it, and the masking is logged (``core.CardNumberMasking``).

What counts as a card number: 13–19 digits passing the Luhn check, written
together or in groups separated by up to three spaces, dashes, dots or slashes —
``4111 1111 1111 1111``, ``4111-1111-1111-1111``, ``4111.1111.1111.1111``,
``4111/1111/1111/1111``, ``4111  1111  1111  1111`` — also when other digit
groups come before or after it (``12 4111 1111 1111 1111``, ``… 1111 12/27``,
``… 1111 123``) or it follows a dash (``ref-4111…``). The groups of a digit run
are tried from the left: at each group, the shortest run of whole groups with
13–19 digits that passes Luhn is masked. An unbroken run of digits is one group:
it is masked only when the whole run is a valid card number, so order and phone
numbers that fail the check stay as typed.
"""

import re

# Digit groups joined by short separator runs: one "run" a card number may hide in.
_RUN = re.compile(r"\d+(?:[ \t\u00a0./\\-]{1,3}\d+)*")
_GROUP = re.compile(r"\d+")
MIN_DIGITS, MAX_DIGITS = 13, 19
# str.translate deletes the ASCII digits in C: the length lost is their count.
_DROP_ASCII_DIGITS = str.maketrans("", "", "0123456789")


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


def _card_spans(run: str):
    """``(start, end, last four)`` of each card number inside one digit run."""
    groups = [(m.start(), m.end(), m.group()) for m in _GROUP.finditer(run)]
    index = 0
    while index < len(groups):
        digits = ""
        for last in range(index, len(groups)):
            digits += groups[last][2]
            if len(digits) > MAX_DIGITS:
                break
            if len(digits) >= MIN_DIGITS and luhn_valid(digits):
                yield groups[index][0], groups[last][1], digits[-4:]
                index = last
                break
        index += 1


def redact_card_numbers(text: str) -> tuple[str, int]:
    """``(text with card numbers masked, how many were masked)``.

    ``4111 1111 1111 1111`` becomes ``[card •••• 1111]``.
    """
    if not text or not isinstance(text, str):
        return text, 0
    if text.isascii() and len(text) - len(text.translate(_DROP_ASCII_DIGITS)) < MIN_DIGITS:
        # Fewer than 13 digits in all cannot hold a card: most text (titles, notes,
        # a burst's generated notices) is answered here without the regex. Other
        # scripts' digits (\d matches them) take the full path.
        return text, 0
    count = 0

    def mask_run(match):
        nonlocal count
        run = match.group(0)
        if len(run) < MIN_DIGITS:  # too short to hold a card: most runs ("75%", a time)
            return run
        pieces, position = [], 0
        for start, end, last_four in _card_spans(run):
            pieces.append(run[position:start])
            pieces.append(f"[card •••• {last_four}]")
            position = end
            count += 1
        pieces.append(run[position:])
        return "".join(pieces)

    return _RUN.sub(mask_run, text), count
