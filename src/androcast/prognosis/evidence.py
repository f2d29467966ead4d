"""The published figures beside each forecast (DESIGN.md, Prognosis: ``evidence``).

``data/evidence.yaml`` names, per protocol and kind of man, the closest published figure
with its interval. A figure of a probability is judged on his own forecast at its outcome and
month: it agrees when his 90 % interval (the Monte-Carlo and posterior spread of the curve)
overlaps the published interval, so the seed alone does not flip the verdict. A figure of a
mean change is judged on the calibration cohort that reproduces it (the stored verdict of
its calibration target), since one man has no mean change.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from androcast._yaml import load_data
from androcast.drugs import DrugKind, get_drug
from androcast.evidence import evidence
from androcast.labs import Case
from androcast.prognosis.curves import Curve

#: Kinds of men a figure can be closest to.
POPULATIONS = ("after_testosterone", "after_aas", "idiopathic_oligozoospermia", "congenital_hh")


@dataclass(frozen=True)
class Figure:
    """One published number and the men and protocols it speaks for."""

    id: str
    source: str
    population: str
    applies_to: tuple[str, ...]
    protocols: tuple[str, ...]
    kind: str  # "probability" | "change" | "odds_ratio" (beside the pregnancy curve)
    outcome: str | None  # probability: the outcome code
    observable: str | None  # change: the observable
    month: float
    value: float
    interval: tuple[float, float]
    interval_basis: str
    judged_on: str | None  # change, odds_ratio: the calibration target that reproduces it


@dataclass(frozen=True)
class EvidenceRow:
    """A figure beside one protocol's forecast, with the model's value and the verdict."""

    figure: Figure
    model: float | None  # his probability at the figure's month; odds ratio: the stored
    # calibration value; None for a change
    model_interval: tuple[float, float] | None
    agrees: bool
    model_se: float | None = None  # Monte Carlo error of ``model`` (a probability on his curve)

    def to_dict(self) -> dict[str, Any]:
        f = self.figure
        row: dict[str, Any] = {
            "source": f.source, "population": f.population,
            "outcome": (f.outcome if f.kind == "probability" else
                        "pregnancy_natural_odds_ratio" if f.kind == "odds_ratio"
                        else f"change_{f.observable}"),
            "month": f.month, "value": f.value, "interval": list(f.interval),
            "interval_basis": f.interval_basis, "agrees": self.agrees,
            "model": self.model,
        }
        if self.model_interval is not None:
            row["model_interval_90"] = list(self.model_interval)
        if f.judged_on is not None:
            row["judged_on"] = f"calibration target {f.judged_on}"
        return row


def _figure(spec: Mapping[str, Any]) -> Figure:
    scale = float(spec.get("scale", 1.0))
    if "evidence" in spec:
        ev = evidence(str(spec["evidence"]))
        value = ev.value[spec["item"]] if "item" in spec else ev.value
        raw = ev.raw or {}
        ci = raw.get("ci95")
        if isinstance(ci, Mapping):
            ci = ci.get(spec.get("item"))
    else:
        value, ci = spec["value"], None
    interval = spec.get("interval", ci)
    if interval is None:
        raise ValueError(f"evidence.yaml {spec['id']}: no interval and no ci95 in the evidence")
    low, high = (float(v) for v in interval)
    if "interval" not in spec:
        low, high = low * scale, high * scale
    kind = str(spec.get("kind", "probability"))
    return Figure(
        id=str(spec["id"]), source=str(spec["source"]), population=str(spec["population"]),
        applies_to=tuple(spec["applies_to"]), protocols=tuple(spec["protocols"]), kind=kind,
        outcome=spec.get("outcome"), observable=spec.get("observable"),
        month=float(spec["month"]), value=round(float(value) * scale, 4),
        interval=(round(low, 4), round(high, 4)), interval_basis=str(spec["interval_basis"]),
        judged_on=spec.get("judged_on"))


@cache
def figures() -> tuple[Figure, ...]:
    """Every curated figure (``data/evidence.yaml``)."""
    text = resources.files("androcast.prognosis").joinpath("data/evidence.yaml").read_text(
        encoding="utf-8")
    data = load_data(text)
    return tuple(_figure(spec) for spec in data["figures"])


@cache
def figure_citations() -> Mapping[str, str]:
    """Full references of figure sources the evidence tables lack."""
    text = resources.files("androcast.prognosis").joinpath("data/evidence.yaml").read_text(
        encoding="utf-8")
    return dict(load_data(text).get("citations", {}))


def populations(case: Case, causes: Sequence[str], fsh_limited: bool) -> tuple[str, ...]:
    """The kinds of men he belongs to: by his androgen history and his assessment."""
    kinds = {get_drug(u.agent).kind for u in case.history.androgens}
    out = []
    if DrugKind.aas in kinds:
        out.append("after_aas")
    elif kinds:
        out.append("after_testosterone")
    if fsh_limited:
        out.append("idiopathic_oligozoospermia")
    if "congenital_hypogonadotropic" in causes:
        out.append("congenital_hh")
    return tuple(out)


def closest(protocol: str, kinds: Sequence[str]) -> tuple[Figure, ...]:
    """The figures for this protocol and these kinds of men, in the file's order."""
    return tuple(f for f in figures()
                 if protocol in f.protocols and any(k in f.applies_to for k in kinds))


def judge(figure: Figure, curve: Curve | None, calibration_verdict: bool | None
          ) -> EvidenceRow | None:
    """The figure beside his forecast (None when his curve does not reach its month)."""
    if figure.kind in ("change", "odds_ratio"):
        if calibration_verdict is None:
            return None
        # an odds ratio is a property of virtual couples, not of his curve: the stored value
        model = (stored_simulated(figure.judged_on)
                 if figure.kind == "odds_ratio" and figure.judged_on else None)
        return EvidenceRow(figure, model, None, calibration_verdict)
    if curve is None or figure.month not in curve.months:
        return None
    i = curve.months.index(figure.month)
    low, high = curve.interval_90[i]
    agrees = low <= figure.interval[1] and high >= figure.interval[0]
    se = curve.mc_se[i] if i < len(curve.mc_se) else None
    return EvidenceRow(figure, curve.probability[i], (low, high), agrees, se)


#: Monte Carlo errors by which the model must reverse a published order to be flagged.
ORDER_Z = 2.0


def order_caveats(rows: Sequence[tuple[str, EvidenceRow]]) -> tuple[str, ...]:
    """Where one cohort reports several arms (aas_pct79: clomiphene + hCG, clomiphene, none),
    whether the model ranks his forecasts on those arms in the published order. Each row is
    judged alone beside its protocol; this says when the model reverses two published arms by
    more than ``ORDER_Z`` of their combined Monte Carlo error (the published arms' own
    intervals may overlap: the caveat gives both orders, not a verdict)."""
    groups: dict[tuple[str, str | None, float], list[tuple[str, EvidenceRow]]] = {}
    for protocol, row in rows:
        f = row.figure
        if f.kind == "probability" and row.model is not None:
            groups.setdefault((f.source, f.outcome, f.month), []).append((protocol, row))
    out = []
    for (source, outcome, month), arms in groups.items():
        reversed_pairs = [
            (a, b) for a, ra in arms for b, rb in arms
            if ra.figure.value > rb.figure.value and ra.model is not None
            and rb.model is not None
            and rb.model - ra.model > ORDER_Z * ((ra.model_se or 0.0) ** 2
                                                 + (rb.model_se or 0.0) ** 2) ** 0.5]
        if not reversed_pairs:
            continue
        by_published = sorted(arms, key=lambda arm: -arm[1].figure.value)
        published = " > ".join(f"{p} {r.figure.value:.0%}" for p, r in by_published)
        model = ", ".join(f"{p} {r.model:.0%}" for p, r in by_published)
        out.append(f"The model does not rank these arms as {source} did ({outcome} by month "
                   f"{month:g}): published {published}; model {model}. Each figure is judged "
                   f"alone beside its protocol; this order is not reproduced.")
    return tuple(out)


#: Verdicts of the last calibration report (``androcast calibrate report`` writes them beside
#: the stored fit), read without importing the calibration package.
VERDICTS = "calibrate/data/verdicts.yaml"


@cache
def _verdicts() -> Mapping[str, Any]:
    path = resources.files("androcast").joinpath(VERDICTS)
    if not path.is_file():
        return {}
    data = load_data(path.read_text(encoding="utf-8"))
    return dict(data.get("targets", {}))


def stored_verdict(target: str) -> bool | None:
    """Whether calibration target ``target`` passed in the stored report (None: not there)."""
    entry = _verdicts().get(target)
    return None if entry is None else bool(entry["passed"])


def stored_simulated(target: str) -> float | None:
    """The simulated value of calibration target ``target`` in the stored report."""
    entry = _verdicts().get(target)
    return None if entry is None or entry.get("simulated") is None else float(entry["simulated"])
