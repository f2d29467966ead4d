"""androcast: decision support for male fertility restoration.

Labs in any common unit, a cited interpretation of the hypothalamic-pituitary-gonadal axis,
a mechanistic model of the axis with drug pharmacology, and recovery prognosis. Outputs are
decision support for professionals, never a prescription.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("androcast")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0"

DISCLAIMER = (
    "Decision support for clinicians and researchers, not a prescription: "
    "every output shows its basis and citation."
)

__all__ = ["DISCLAIMER", "__version__"]
