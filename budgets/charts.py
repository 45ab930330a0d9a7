"""The budget charts' Vega-Lite definitions, built once for the pages and the report
packs (``core.charts.svg`` renders them on the server)."""

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
COLOURS = {"Planned": "#9ca3af", "Actual": "#4f46e5", "Forecast (run rate)": "#dc2626",
           "Forecast (committed)": "#d97706", "Cost": "#dc2626", "Benefit": "#16a34a"}


def _values(rows, currency):
    return [{"month": row["month"].isoformat(), "series": row["series"],
             "amount": float(row["amount"])} for row in rows]


def _lines(values, *, title, currency, domain):
    return {
        "$schema": SCHEMA, "title": title, "width": 640, "height": 240,
        "data": {"values": values},
        "mark": {"type": "line", "point": True},
        "encoding": {
            "x": {"field": "month", "type": "temporal", "title": None,
                  "axis": {"format": "%b %Y", "labelAngle": -45, "tickCount": "month"}},
            "y": {"field": "amount", "type": "quantitative", "title": currency,
                  "axis": {"format": ",.0f"}},
            "color": {"field": "series", "type": "nominal", "title": None,
                      "scale": {"domain": domain, "range": [COLOURS[d] for d in domain]},
                      "legend": {"orient": "bottom"}},
            "strokeDash": {"field": "series", "type": "nominal", "legend": None,
                           "scale": {"domain": domain,
                                     "range": [[1, 0] if "Forecast" not in d else [5, 4]
                                               for d in domain]}},
        },
    }


def burn_chart(rows, *, currency: str, title: str = "Cumulative spend against plan") -> dict:
    """``rows``: ``selectors.burn_series`` — planned, actual and the two forecasts."""
    present = {row["series"] for row in rows}
    domain = [s for s in ("Planned", "Actual", "Forecast (run rate)", "Forecast (committed)")
              if s in present]
    return _lines(_values(rows, currency), title=title, currency=currency, domain=domain)


def benefit_chart(series, *, currency: str) -> dict:
    """Cumulative cost against cumulative benefit, month by month: where the lines
    cross, the initiative has paid for itself."""
    rows = []
    for point in series:
        rows.append({"month": point["month"], "series": "Cost", "amount": point["cost"]})
        rows.append({"month": point["month"], "series": "Benefit", "amount": point["benefit"]})
    return _lines(_values(rows, currency), title="Cumulative benefit against cost",
                  currency=currency, domain=["Cost", "Benefit"])
