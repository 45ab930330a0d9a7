"""Charts drawn on the server: one Vega-Lite spec (a dict) → SVG.

Pages and reports build the same spec and get the same picture (a report's PDF
embeds the SVG the page shows). ``vl-convert-python`` renders Vega-Lite without a
browser or Node; nothing here draws SVG by hand. Rendering costs tens of
milliseconds, so the SVG is cached on the spec's canonical JSON: the same figures
draw once.
"""

import json
from functools import lru_cache

import vl_convert
from django.utils.safestring import SafeString, mark_safe

VEGA_LITE_VERSION = "5.20"  # the schema the specs are written against


def svg(spec: dict) -> SafeString:
    """The chart ``spec`` as an inline ``<svg>`` element (safe to put in a template:
    vl-convert escapes the data's text)."""
    return mark_safe(_render(json.dumps(spec, sort_keys=True, default=str)))  # noqa: S308


@lru_cache(maxsize=256)
def _render(spec_json: str) -> str:
    # No base URL allowed: a spec carries its data inline and may fetch nothing.
    drawn = vl_convert.vegalite_to_svg(vl_spec=spec_json, allowed_base_urls=[])
    # Responsive: the SVG scales with its container instead of its fixed pixel width.
    return drawn.replace("<svg ", '<svg role="img" preserveAspectRatio="xMinYMin meet" '
                         'style="max-width:100%;height:auto" ', 1)
