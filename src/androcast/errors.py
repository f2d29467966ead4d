"""Errors raised by androcast.

Every error a user can provoke is an :class:`AndrocastError`. Concrete errors also subclass
a builtin (``ValueError``, ``KeyError``, ...) so callers that do not know androcast still
catch them sensibly. Each carries the offending ``field``, its ``value`` and what was
``expected``; the message is built in ``__str__`` from those three, and errors pickle
(population runs send them between processes).
"""

from __future__ import annotations

from typing import Any


class AndrocastError(Exception):
    """Root of every error androcast raises on bad input or a failed computation."""

    def __init__(self, field: str, value: Any, expected: str, hint: str = "") -> None:
        super().__init__(field, value, expected, hint)
        self.field = field
        self.value = value
        self.expected = expected
        self.hint = hint

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.field, self.value, self.expected, self.hint))

    def problem(self) -> str:
        """The middle of the message: what is wrong with the value."""
        return "is invalid"

    def __str__(self) -> str:
        message = f"{self.field}: {self.value!r} {self.problem()}; expected {self.expected}"
        return f"{message} ({self.hint})" if self.hint else message


class InputFileError(AndrocastError, ValueError):
    """A case, regimen, cohort or rule file that cannot be read or has the wrong shape."""

    def problem(self) -> str:
        return "cannot be read"


class IdentifierError(AndrocastError, ValueError):
    """An identifier (a patient's, a user's, a clinic's) that cannot be kept as given."""

    def problem(self) -> str:
        return "is not a usable identifier"


class UnknownCodeError(AndrocastError, KeyError):
    """A code (analyte, drug, condition, protocol, outcome ...) that the catalogue lacks."""

    def problem(self) -> str:
        return "is not a known code"

    # KeyError quotes its argument in str(); keep our message instead.
    __str__ = AndrocastError.__str__


class UnitError(AndrocastError, ValueError):
    """A unit that is unknown or does not fit the quantity."""

    def problem(self) -> str:
        return "is not a usable unit"


class LabValueError(AndrocastError, ValueError):
    """A laboratory or semen value that cannot be true (negative, beyond physiology)."""

    def problem(self) -> str:
        return "is impossible"


class UnitMixupError(LabValueError):
    """A value that is plausible only in another unit: never converted silently."""

    def problem(self) -> str:
        return "looks like a unit mix-up"


class DateError(AndrocastError, ValueError):
    """A malformed, impossible or contradictory date."""

    def problem(self) -> str:
        return "is not a valid date here"


class RegimenError(AndrocastError, ValueError):
    """A regimen entry that cannot be compiled into dose events."""

    def problem(self) -> str:
        return "is not a valid regimen entry"


class MissingDoseError(RegimenError):
    """A restoration drug he takes now, listed without its dose or interval: the drug is
    part of his state (assessment, twin, plan), which cannot be known without them."""

    def problem(self) -> str:
        return "has no dose"


class DoseRangeError(RegimenError):
    """A dose outside the clinically plausible range given in the drug's data."""

    def problem(self) -> str:
        return "is outside the accepted dose range"


class RuleError(AndrocastError, ValueError):
    """An interpretation rule file that does not validate (names file, rule and field)."""

    def problem(self) -> str:
        return "is not a valid rule"


class ParameterError(AndrocastError, ValueError):
    """A model, cohort or calibration parameter that is missing or out of range."""

    def problem(self) -> str:
        return "is not a valid parameter"


class SimulationError(AndrocastError, RuntimeError):
    """A simulation that failed; ``expected`` carries the remedy."""

    def problem(self) -> str:
        return "failed"


class StoreError(AndrocastError, RuntimeError):
    """A patient record store that cannot be used as asked (schema out of date, conflict)."""

    def problem(self) -> str:
        return "cannot be used"


class ExportError(AndrocastError, ValueError):
    """Data that cannot be written in the asked format (e.g. an empty event table)."""

    def problem(self) -> str:
        return "cannot be exported"


class CaseProblems(InputFileError):
    """Several problems found in one case file, reported together (one message, every field).

    Readers collect each bad field instead of stopping at the first, so a clinician fixes the
    whole file at once. A case with a single problem raises that problem's own error.
    """

    def __init__(self, field: str, problems: Any, expected: str = "", hint: str = "") -> None:
        items = tuple(problems)
        listed = "; ".join(str(p) for p in items)
        super().__init__(field, f"{len(items)} problems", expected or listed, hint)
        self.problems: tuple[AndrocastError, ...] = items

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.field, self.problems))

    def __str__(self) -> str:
        lines = [f"{self.field}: {len(self.problems)} problems"]
        lines.extend(f"  - {problem}" for problem in self.problems)
        return "\n".join(lines)
