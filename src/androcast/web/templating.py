"""The Jinja2 templates of the pages (the report's partials are shared with them)."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import jinja2
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from androcast import DISCLAIMER, __version__
from androcast.interpret import references
from androcast.report import full_reference, reference_label
from androcast.units import display_unit
from androcast.web.auth import CSRF_FIELD, CSRF_HEADER


def _json_script(data: Any) -> Markup:
    """JSON safe inside ``<script type="application/json">`` (no ``</script>`` break-out)."""
    text = json.dumps(data, default=str).replace("<", "\\u003c").replace(">", "\\u003e")
    return Markup(text.replace("&", "\\u0026"))


@cache
def templates() -> Jinja2Templates:
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(
            [
                jinja2.PackageLoader("androcast.web", "templates"),
                jinja2.PackageLoader("androcast.report", "templates"),
            ]
        ),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    env.globals.update(
        DISCLAIMER=DISCLAIMER,
        VERSION=__version__,
        CSRF_FIELD=CSRF_FIELD,
        CSRF_HEADER=CSRF_HEADER,
        reference_label=reference_label,
        display_unit=display_unit,
        full_reference=full_reference,
        references=references(),
    )
    env.filters["json_script"] = _json_script
    return Jinja2Templates(env=env)
