"""The Jinja2 templates of the pages (the report's partials are shared with them)."""

from __future__ import annotations

from functools import cache

import jinja2
from fastapi.templating import Jinja2Templates

from androcast import DISCLAIMER, __version__
from androcast.interpret import references
from androcast.report import full_reference, reference_label
from androcast.report.build import display_globals, json_script
from androcast.units import display_unit
from androcast.web.auth import CSRF_FIELD, CSRF_HEADER


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
        **display_globals(),
    )
    env.filters["json_script"] = json_script
    return Jinja2Templates(env=env)
