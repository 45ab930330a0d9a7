"""The KPI charts' Vega-Lite definitions, built once and reused by pages and reports
(``core.charts.svg`` renders them on the server)."""

from decimal import Decimal


def _number(value):
    return float(value) if isinstance(value, Decimal) else value


def service_level_trend(points, *, target=None, title="Service level") -> dict:
    """``points``: ``[(label, service level or None, offered)]`` in time order."""
    values = [{"when": str(label), "service_level": _number(level), "offered": offered}
              for label, level, offered in points]
    layers = [
        {"mark": {"type": "bar", "opacity": 0.25, "color": "#6b7280"},
         "encoding": {"y": {"field": "offered", "type": "quantitative", "title": "Offered",
                            "axis": {"orient": "right"}}}},
        {"mark": {"type": "line", "point": True, "color": "#4f46e5"},
         "encoding": {"y": {"field": "service_level", "type": "quantitative",
                            "title": "Service level %", "scale": {"domain": [0, 100]}}}},
    ]
    if target is not None:
        values_target = float(target)
        layers.append({"mark": {"type": "rule", "color": "#dc2626", "strokeDash": [4, 4]},
                       "encoding": {"y": {"datum": values_target, "type": "quantitative"}}})
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": title, "width": 640, "height": 220,
        "data": {"values": values},
        "encoding": {"x": {"field": "when", "type": "ordinal", "title": None,
                           "axis": {"labelAngle": -45, "labelOverlap": True}}},
        "layer": layers,
        "resolve": {"scale": {"y": "independent"}},
    }
