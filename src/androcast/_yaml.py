"""YAML parsing for the package's own data tables: libyaml's C parser where PyYAML has it.

The shipped rules, catalogues and tables (about 60 files) parse in 0.14 s with the C safe
loader against 1.0 s with the pure-Python one, to the same values; every command that
reads them starts that much sooner. Users' own files keep ``yaml.safe_load``, whose error
marks quote the offending line.
"""

from __future__ import annotations

from typing import Any

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_data(text: str) -> Any:
    """The value of a YAML document, parsed safely (no arbitrary objects)."""
    return yaml.load(text, Loader=_LOADER)
