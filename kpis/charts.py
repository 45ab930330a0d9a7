"""The KPI charts' Vega-Lite definitions, built once and reused by pages and reports
(``core.charts.svg`` renders them on the server)."""

from decimal import Decimal


def _number(value):
    return float(value) if isinstance(value, Decimal) else value


def service_level_trend(points, *, target=None, title="Service level") -> dict:
    """``points``: ``[(label, service level or None, offered)]`` in time order."""
    values = [{"when": str(label), "service_level": _number(level), "offered": offered}
              for label, level, offered in points]
    # The time axis is on the bars and the line only: the target rule inheriting it
    # would be drawn as one vertical line per point instead of across the chart.
    x = {"field": "when", "type": "ordinal", "title": None,
         "axis": {"labelAngle": -45, "labelOverlap": True}}
    layers = [
        {"mark": {"type": "bar", "opacity": 0.25, "color": "#6b7280"},
         "encoding": {"x": x, "y": {"field": "offered", "type": "quantitative",
                                    "title": "Offered", "axis": {"orient": "right"}}}},
        {"mark": {"type": "line", "point": True, "color": "#4f46e5"},
         "encoding": {"x": x, "y": {"field": "service_level", "type": "quantitative",
                                    "title": "Service level %",
                                    "scale": {"domain": [0, 100]}}}},
    ]
    if target is not None:
        values_target = float(target)
        # On the service-level scale (0–100): the y scales are independent, so a rule
        # without that domain would take a scale of its own and sit at the top.
        layers.append({"mark": {"type": "rule", "color": "#dc2626", "strokeDash": [4, 4]},
                       "encoding": {"y": {"datum": values_target, "type": "quantitative",
                                          "scale": {"domain": [0, 100]}, "axis": None}}})
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": title, "width": 640, "height": 220,
        "data": {"values": values},
        "layer": layers,
        "resolve": {"scale": {"y": "independent"}},
    }
