"""androcast: decision support for male fertility restoration.

Labs in any common unit, a cited interpretation of the hypothalamic-pituitary-gonadal axis,
a mechanistic model of the axis with drug pharmacology, and recovery prognosis. Outputs are
decision support for professionals, never a prescription.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    __version__: str

DISCLAIMER = (
    "Decision support for clinicians and researchers, not a prescription: "
    "every output shows its basis and citation."
)

#: Virtual men in a patient's twin for a prognosis and plan by default: the CLI's and the web
#: page's alike, so both give one case the same numbers and the same precision (flag G;
#: bench/prognosis.py measures the seed spread and the time it gives). Here, not in
#: ``prognosis``, so the CLI's options read it without importing the model.
DEFAULT_PARTICLES = 128

__all__ = ["DEFAULT_PARTICLES", "DISCLAIMER", "__version__"]


def __getattr__(name: str) -> str:
    """``__version__``, read from the installed metadata on first use (PEP 562):
    importing importlib.metadata took ~45 ms of every CLI start-up (python -X importtime)."""
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("androcast")
    except PackageNotFoundError:  # running from a source tree without installation
        found = "0.0.0"
    globals()["__version__"] = found  # later lookups skip this function
    return found
