import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.pci import luhn_valid, redact_card_numbers


@pytest.mark.parametrize(
    ("text", "expected", "count"),
    [
        ("Card 4111 1111 1111 1111 declined", "Card [card •••• 1111] declined", 1),
        ("card 5555-5555-5555-4444.", "card [card •••• 4444].", 1),
        ("amex 378282246310005 ok", "amex [card •••• 0005] ok", 1),
        ("order 4111111111111112 (not a card)", "order 4111111111111112 (not a card)", 0),
        ("call +44 20 7946 0958", "call +44 20 7946 0958", 0),
        ("two: 4111111111111111 and 4012888888881881",
         "two: [card •••• 1111] and [card •••• 1881]", 2),
        ("", "", 0),
    ],
)
def test_card_numbers_are_masked_to_the_last_four(text, expected, count):
    assert redact_card_numbers(text) == (expected, count)


def luhn_oracle(digits):
    """The textbook definition, written differently from the implementation."""
    doubled = [int(d) * (2 if i % 2 else 1) for i, d in enumerate(reversed(digits))]
    return sum(sum(divmod(d, 10)) for d in doubled) % 10 == 0


@given(st.text(alphabet="0123456789", min_size=1, max_size=19))
def test_luhn_matches_the_textbook_definition(digits):
    assert luhn_valid(digits) == luhn_oracle(digits)


@given(st.text(alphabet="0123456789", min_size=13, max_size=19))
def test_no_valid_card_number_survives_redaction(digits):
    text, _ = redact_card_numbers(f"number {digits} here")
    assert (digits in text) is (not luhn_oracle(digits))
