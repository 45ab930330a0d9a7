"""Contact-center formulas over summed counts — pure functions, no database.

Every figure is computed from the raw sums of :data:`kpis.models.COUNT_FIELDS` over
whatever period and grouping (``kpis/selectors.py`` sums them in SQL), never by
averaging percentages, and rounded once, at the end, half up to two decimals.
Definitions follow REFERENCE.md "Contact-center metrics":

* a *service-level event* is a contact answered within the threshold, abandoned
  within it, or that reached it unanswered (then answered or abandoned); short
  abandons (abandoned before the short-abandon timer) are not events at all —
  neither offered nor abandoned. So ``events = answered + abandoned −
  short_abandons`` and the abandons within the threshold that count are
  ``abandoned_within_threshold − short_abandons``. Contacts that left the queue for
  a callback are not events (as they are not abandons: Amazon Connect);
* service level with abandons *ignored* = answered within ÷ (events − abandoned
  within); *negative* = answered within ÷ events; *positive* = (answered within +
  abandoned within) ÷ events;
* abandon rate = abandoned ÷ queued, short abandons out of both unless the queue
  counts them, callbacks never abandoned and (as the queue says) in the queued count
  or not;
* AHT = (talk + hold + after-contact work) ÷ handled; ASA = answer wait ÷ answered;
  FCR = resolved first time ÷ contacts (net: less those not resolvable at first
  level); CSAT = top-two-box responses ÷ responses; NPS = % promoters − % detractors;
  cost per contact = spend ÷ contacts handled.

A figure whose denominator is zero is ``None`` ("no data"), never 0.
"""

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from .choices import AbandonTreatment

CENT = Decimal("0.01")


def rounded(value: Fraction | None) -> Decimal | None:
    """``value`` to two decimals, half away from zero — the one rounding."""
    if value is None:
        return None
    # On integers, so a value like 2.675 (not exact in binary) still rounds up.
    scaled = value * 100
    sign = -1 if scaled < 0 else 1
    magnitude = abs(scaled)
    whole, remainder = divmod(magnitude.numerator, magnitude.denominator)
    if 2 * remainder >= magnitude.denominator:
        whole += 1
    return (Decimal(sign * whole) / 100).quantize(CENT, rounding=ROUND_HALF_UP)


def _share(numerator: int, denominator: int) -> Fraction | None:
    return Fraction(numerator * 100, denominator) if denominator > 0 else None


def _per(numerator: int, denominator: int) -> Fraction | None:
    return Fraction(numerator, denominator) if denominator > 0 else None


# --- Service level --------------------------------------------------------------------


def service_level_events(sums: Mapping) -> int:
    return sums["answered"] + sums["abandoned"] - sums["short_abandons"]


def counted_abandons_within(sums: Mapping) -> int:
    """Abandons within the threshold that are events (short abandons are not)."""
    return sums["abandoned_within_threshold"] - sums["short_abandons"]


def service_level_fraction(sums: Mapping, treatment: str) -> Fraction | None:
    events = service_level_events(sums)
    answered = sums["answered_within_threshold"]
    abandoned = counted_abandons_within(sums)
    if treatment == AbandonTreatment.IGNORED:
        return _share(answered, events - abandoned)
    if treatment == AbandonTreatment.POSITIVE:
        return _share(answered + abandoned, events)
    if treatment == AbandonTreatment.NEGATIVE:
        return _share(answered, events)
    raise ValueError(f"Unknown abandon treatment: {treatment!r}")


def service_level(sums: Mapping, treatment: str = AbandonTreatment.NEGATIVE) -> Decimal | None:
    """Percent of service-level events answered within the threshold."""
    return rounded(service_level_fraction(sums, treatment))


# --- Abandons -------------------------------------------------------------------------


def abandon_counts(sums: Mapping, *, short_abandons_count: bool = False,
                   callbacks_in_offered: bool = True) -> tuple[int, int]:
    """``(abandoned, queued)`` as the abandon rate counts them."""
    abandoned, queued = sums["abandoned"], sums["offered"]
    if not short_abandons_count:
        abandoned -= sums["short_abandons"]
        queued -= sums["short_abandons"]
    if not callbacks_in_offered:
        queued -= sums["callbacks_queued"]
    return abandoned, queued


def abandon_rate(sums: Mapping, *, short_abandons_count: bool = False,
                 callbacks_in_offered: bool = True) -> Decimal | None:
    """Percent of queued contacts the customer disconnected while in queue."""
    abandoned, queued = abandon_counts(sums, short_abandons_count=short_abandons_count,
                                       callbacks_in_offered=callbacks_in_offered)
    return rounded(_share(abandoned, queued))


def short_abandon_rate(sums: Mapping) -> Decimal | None:
    """Percent of offered contacts that were short abandons."""
    return rounded(_share(sums["short_abandons"], sums["offered"]))


# --- Times ----------------------------------------------------------------------------


def handle_seconds(sums: Mapping) -> int:
    return sums["talk_seconds"] + sums["hold_seconds"] + sums["acw_seconds"]


def aht(sums: Mapping) -> Decimal | None:
    """Average handle time in seconds: (talk + hold + after-contact work) ÷ handled."""
    return rounded(_per(handle_seconds(sums), sums["handled"]))


def aht_split(sums: Mapping) -> dict[str, Decimal | None]:
    """Average talk, hold and after-contact work per handled contact, in seconds."""
    return {part: rounded(_per(sums[f"{part}_seconds"], sums["handled"]))
            for part in ("talk", "hold", "acw")}


def asa(sums: Mapping) -> Decimal | None:
    """Average speed of answer in seconds: total answer wait ÷ answered."""
    return rounded(_per(sums["answer_wait_seconds"], sums["answered"]))


# --- Outcomes -------------------------------------------------------------------------


def fcr(sums: Mapping, *, net: bool = False) -> Decimal | None:
    """Percent of contacts resolved at first contact (net: of those resolvable)."""
    contacts = sums["fcr_contacts"] - (sums["fcr_not_resolvable"] if net else 0)
    return rounded(_share(sums["fcr_resolved"], contacts))


def csat(sums: Mapping) -> Decimal | None:
    """Percent of survey responses in the top two boxes (4–5 of 5)."""
    return rounded(_share(sums["csat_satisfied"], sums["csat_responses"]))


def nps(sums: Mapping) -> Decimal | None:
    """% promoters (9–10) − % detractors (0–6), from −100 to 100."""
    return rounded(_share(sums["nps_promoters"] - sums["nps_detractors"], sums["nps_responses"]))


def cost_per_contact(spend: Decimal | None, handled: int) -> Decimal | None:
    """Spend in the period ÷ contacts handled, in money (two decimals)."""
    if spend is None or handled <= 0:
        return None
    return (Decimal(spend) / handled).quantize(CENT, rounding=ROUND_HALF_UP)


# --- Everything at once ---------------------------------------------------------------


def figures(sums: Mapping, *, treatment: str = AbandonTreatment.NEGATIVE,
            short_abandons_in_abandon_rate: bool = False, callbacks_in_offered: bool = True,
            spend: Decimal | None = None) -> dict:
    """Every figure of one group of sums, as pages, exports and the API show them."""
    split = aht_split(sums)
    result = {
        "offered": sums["offered"], "answered": sums["answered"],
        "abandoned": sums["abandoned"], "short_abandons": sums["short_abandons"],
        "callbacks_queued": sums["callbacks_queued"], "handled": sums["handled"],
        "transfers": sums["transfers"],
        "service_level_events": service_level_events(sums),
        "service_level": service_level(sums, treatment),
        "abandon_rate": abandon_rate(sums, short_abandons_count=short_abandons_in_abandon_rate,
                                     callbacks_in_offered=callbacks_in_offered),
        "short_abandon_rate": short_abandon_rate(sums),
        "aht": aht(sums), "talk": split["talk"], "hold": split["hold"], "acw": split["acw"],
        "asa": asa(sums), "fcr": fcr(sums), "net_fcr": fcr(sums, net=True),
        "csat": csat(sums), "nps": nps(sums),
    }
    if spend is not None:
        result["cost_per_contact"] = cost_per_contact(spend, sums["handled"])
    return result
