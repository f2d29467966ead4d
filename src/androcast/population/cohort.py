"""Cohort files: who the virtual men are, what they took, what they are given, what counts.

```yaml
name: contraception_liu2006
sources: [liu2006]
seed: 1
follow_up_months: 24
months: [0, 3, 6, 12, 24]            # where probabilities are reported
outcomes: [concentration_ge_20m_per_ml]
covariates:                          # one distribution per covariate (see distributions.py)
  age_years: {distribution: truncated, of: {distribution: normal, mean: 32, sd: 7},
              low: 18, high: 51, source: liu2006}
  ethnicity: {distribution: categorical, categories: {white: 965, asian: 535, other: 49}}
androgen:                            # the exposure that ended at time 0 (optional)
  duration_weeks: {distribution: uniform, low: 16, high: 78}   # first dose to time 0
  agents:                            # one option drawn per man, by weight
    - {agent: testosterone_enanthate, dose: 200 mg, route: im, every: 7 d, weight: 1}
    - stack:                         # several androgens taken together (one option)
        - {agent: testosterone_enanthate, dose: 500 mg, route: im, every: 7 d}
        - {agent: nandrolone_decanoate, dose: 300 mg, route: im, every: 7 d}
      weight: 1
  cycle: {on_weeks: 12, off_weeks: 8}   # optional on/off cycles; the last "on" ends at time 0
  post_cycle:                        # optional regimen after every "on" period (day 0 = its end)
    - {drug: clomiphene_citrate, dose: 25 mg, route: oral, every: 1 d, start: 7 d, duration: 28 d}
entry: {observable: sperm_concentration, at_most: 1}   # optional: admit only men meeting it at t0
variability:                         # inter-individual variability: lognormal CV per parameter
  tau_sg: {cv: 0.1, source: amann2008}
regimen:                             # treatment after time 0, DESIGN.md regimen entries
  - {drug: hcg, dose: 3000 IU, route: sc, every: 2 d, start: 0 d, duration: 365 d}
```
Time 0 is cessation of androgens: last dose + one dosing interval [handelsman2005].
Errors name the file and the field (``liu.yaml: covariates.age_years.sd``); every bad
section is reported in one message.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from numpy.typing import NDArray

from androcast.errors import (
    AndrocastError,
    CaseProblems,
    InputFileError,
    ParameterError,
    UnknownCodeError,
)
from androcast.population.distributions import (
    Categorical,
    Distribution,
    Fixed,
    LogNormal,
    Truncated,
    Uniform,
    parse_distribution,
)
from androcast.population.outcomes import Observable, Outcome, parse_outcome
from androcast.regimens import Regimen, RegimenEntry, parse_regimen

DAYS_PER_MONTH = 365.25 / 12
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

# Covariates the covariate model knows; anything else is a typo, not a silent no-op.
COVARIATES: Mapping[str, str] = {
    "age_years": "age in years",
    "bmi": "body-mass index in kg/m2",
    "ethnicity": "categorical: asian, white, other",
    "baseline_concentration_m_per_ml": "sperm concentration before androgens, M/mL",
    "prepubertal_testis_volume_ml": "testis volume of a man who never went through puberty "
                                    "(congenital HH), mL: sets his prepubertal pool",
    "partner_age_years": "the female partner's age in years at time 0 (couple outcomes)",
    "infertility_months": "months the couple had tried before time 0 (couple outcomes)",
}
#: Covariates of the couple rather than the man: drawn from a stream of their own
#: (``sampling``), so giving a cohort a partner leaves its men unchanged.
COUPLE_COVARIATES = ("partner_age_years", "infertility_months")
ETHNICITIES = ("asian", "white", "other")

_KEYS = (
    "name",
    "description",
    "sources",
    "seed",
    "follow_up_months",
    "months",
    "outcomes",
    "covariates",
    "androgen",
    "variability",
    "regimen",
    "entry",
)


@dataclass(frozen=True)
class AndrogenOption:
    """What a virtual man may have taken before time 0 (weight = share of men): one
    androgen, or a stack of several taken together."""

    entries: tuple[RegimenEntry, ...]  # dose, unit, route and interval; start/stop per man
    weight: float

    @property
    def entry(self) -> RegimenEntry:
        """The first (for a single androgen, the only) agent."""
        return self.entries[0]


@dataclass(frozen=True)
class Cycle:
    """On/off use: ``on_weeks`` of the agents, then ``off_weeks`` without, repeated."""

    on_weeks: float
    off_weeks: float


@dataclass(frozen=True)
class AndrogenExposure:
    options: tuple[AndrogenOption, ...]
    duration_weeks: Distribution
    cycle: Cycle | None = None
    post_cycle: Regimen = field(default_factory=Regimen)  # day 0 = the end of each "on"

    @property
    def choice(self) -> Categorical:
        names = tuple("+".join(e.drug for e in o.entries) for o in self.options)
        return Categorical(names, tuple(o.weight for o in self.options))


@dataclass(frozen=True)
class EntryCondition:
    """Who is admitted: men whose ``observable`` at time 0 is at most/at least ``limit``."""

    observable: Observable
    comparator: str  # "at_most" | "at_least"
    limit: float

    def admits(self, values: FloatArray) -> BoolArray:
        if self.comparator == "at_most":
            return np.asarray(values <= self.limit)
        return np.asarray(values >= self.limit)


@dataclass(frozen=True)
class Variability:
    """Lognormal inter-individual variability of one model parameter around its value,
    times ``median`` (1: the population's value; a cohort of men known to differ, such as
    infertile men's lower inhibin B, moves it)."""

    cv: float
    source: str
    median: float = 1.0


@dataclass(frozen=True)
class Cohort:
    name: str
    description: str
    sources: tuple[str, ...]
    seed: int
    follow_up_months: float
    months: tuple[float, ...]
    outcomes: tuple[Outcome, ...]
    covariates: Mapping[str, Distribution] = field(default_factory=dict)
    androgen: AndrogenExposure | None = None
    variability: Mapping[str, Variability] = field(default_factory=dict)
    regimen: Regimen = field(default_factory=Regimen)
    entry: EntryCondition | None = None
    # the kind of androgen every man took, for a cohort whose androgens are not drawn from
    # options (a twin: his own history; the population's androgen_kind effects apply to him)
    androgen_kind: str | None = None

    @property
    def follow_up_d(self) -> float:
        return self.follow_up_months * DAYS_PER_MONTH

    def with_outcomes(self, codes: Sequence[str]) -> Cohort:
        """The same cohort judged on other outcomes (``--outcome`` on the command line)."""
        outcomes = tuple(parse_outcome(c, field=f"outcome[{i}]") for i, c in enumerate(codes))
        _check_partner(outcomes, self.covariates, f"{self.name}: covariates")
        return replace(self, outcomes=outcomes)


def cohort_names() -> tuple[str, ...]:
    """The cohorts shipped with androcast."""
    folder = resources.files("androcast.population").joinpath("cohorts")
    return tuple(sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml")))


def load_cohort(name_or_path: str | Path) -> Cohort:
    """A shipped cohort by name, or a cohort file by path."""
    text: str
    source: str
    if str(name_or_path) in cohort_names():
        source = f"{name_or_path}.yaml"
        folder = resources.files("androcast.population").joinpath("cohorts")
        text = folder.joinpath(source).read_text(encoding="utf-8")
    else:
        path = Path(name_or_path)
        source = path.name
        if not path.is_file():
            raise InputFileError(
                "cohort",
                str(name_or_path),
                "a cohort file or one of the shipped cohorts: " + ", ".join(cohort_names()),
            )
        text = path.read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        hint = str(err).splitlines()[0]
        raise InputFileError(source, "YAML", "a valid YAML document", hint) from None
    return parse_cohort(data, source=source)


def parse_cohort(data: Any, *, source: str = "cohort") -> Cohort:
    """Check a cohort mapping (the parsed YAML) and build a ``Cohort``."""
    if not isinstance(data, Mapping):
        raise InputFileError(source, type(data).__name__, "a mapping of cohort fields")
    for key in data:
        if key not in _KEYS:
            raise ParameterError(f"{source}: {key}", data[key], "one of " + ", ".join(_KEYS))
    name = data.get("name", Path(source).stem)
    problems: list[AndrocastError] = []

    def check(parse: Any, *args: Any) -> Any:
        try:
            return parse(*args)
        except AndrocastError as err:
            problems.append(err)
            return None

    follow_up = check(_positive, data.get("follow_up_months"), f"{source}: follow_up_months")
    months = (check(_months, data.get("months"), follow_up, f"{source}: months")
              if follow_up is not None else None)
    check(_seed, data.get("seed", 0), f"{source}: seed")
    outcomes = check(_outcomes, data.get("outcomes"), f"{source}: outcomes")
    covariates = check(_covariates, data.get("covariates") or {}, f"{source}: covariates")
    if outcomes is not None and covariates is not None:
        check(_check_partner, outcomes, covariates, f"{source}: covariates")
    androgen = check(_androgen, data.get("androgen"), f"{source}: androgen")
    variability = check(_variability, data.get("variability") or {}, f"{source}: variability")
    regimen = check(_regimen, data.get("regimen") or [], f"{source}: regimen")
    entry = check(_entry, data.get("entry"), f"{source}: entry")
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise CaseProblems(source, problems)
    assert months is not None  # follow_up_months was valid
    return Cohort(
        name=str(name),
        description=str(data.get("description", "")).strip(),
        sources=tuple(str(s) for s in data.get("sources", ())),
        seed=data.get("seed", 0),
        follow_up_months=follow_up,
        months=months,
        outcomes=outcomes,
        covariates=covariates,
        androgen=androgen,
        variability=variability,
        regimen=regimen,
        entry=entry,
    )


def _regimen(spec: Any, field: str) -> Regimen:
    return parse_regimen(spec, source=field)


def _seed(seed: Any, field: str) -> None:
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ParameterError(field, seed, "a non-negative integer")


def _outcomes(codes: Any, field: str) -> tuple[Outcome, ...]:
    if not isinstance(codes, list) or not codes:
        raise ParameterError(field, codes, "a non-empty list of outcome codes")
    return tuple(parse_outcome(str(c), field=f"{field}[{i}]") for i, c in enumerate(codes))


def _entry(spec: Any, field: str) -> EntryCondition | None:
    if spec is None:
        return None
    expected = ("{observable: one of " + ", ".join(Observable)
                + ", and at_most or at_least: a number}")
    if not isinstance(spec, Mapping):
        raise ParameterError(field, spec, expected)
    bounds = [k for k in ("at_most", "at_least") if k in spec]
    unknown = sorted(set(spec) - {"observable", "at_most", "at_least"})
    observable = spec.get("observable")
    if observable not in set(Observable):
        raise UnknownCodeError(f"{field}.observable", observable, "one of " + ", ".join(Observable))
    if unknown or len(bounds) != 1:
        raise ParameterError(field, dict(spec), expected)
    limit = spec[bounds[0]]
    if isinstance(limit, bool) or not isinstance(limit, int | float) or not math.isfinite(limit):
        raise ParameterError(f"{field}.{bounds[0]}", limit, "a finite number")
    return EntryCondition(Observable(observable), bounds[0], float(limit))


def _check_partner(outcomes: Sequence[Outcome], covariates: Mapping[str, Distribution],
                   field: str) -> None:
    """A couple outcome needs the partner's age: her age changes the chance more than his
    semen (wesselink2017), so there is no default."""
    couple = [o.code for o in outcomes if o.is_conception]
    if couple and "partner_age_years" not in covariates:
        raise ParameterError(f"{field}.partner_age_years", None,
                             "a distribution of the female partner's age in years, needed "
                             f"for outcome {couple[0]}")


def _positive(value: Any, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise ParameterError(field, value, "a number > 0")
    return float(value)


def _months(value: Any, follow_up: float, field: str) -> tuple[float, ...]:
    if value is None:
        return tuple(float(m) for m in range(math.floor(follow_up) + 1))
    if not isinstance(value, list) or not value:
        raise ParameterError(field, value, "a list of months")
    months = tuple(_positive(m, field) if m != 0 else 0.0 for m in value)
    if list(months) != sorted(set(months)) or months[-1] > follow_up:
        raise ParameterError(field, value, f"increasing months within 0-{follow_up:g}")
    return months


def _covariates(spec: Any, field: str) -> dict[str, Distribution]:
    if not isinstance(spec, Mapping):
        raise ParameterError(field, spec, "a mapping covariate: distribution")
    out: dict[str, Distribution] = {}
    for name, dist_spec in spec.items():
        if name not in COVARIATES:
            raise UnknownCodeError(f"{field}.{name}", name, "one of " + ", ".join(COVARIATES))
        dist = parse_distribution(dist_spec, f"{field}.{name}")
        if (name == "ethnicity") != isinstance(dist, Categorical):
            kind = "categorical" if name == "ethnicity" else "numeric"
            raise ParameterError(f"{field}.{name}", dist_spec, f"a {kind} distribution")
        if isinstance(dist, Categorical) and not set(dist.categories) <= set(ETHNICITIES):
            expected = "among " + ", ".join(ETHNICITIES)
            raise UnknownCodeError(f"{field}.{name}.categories", list(dist.categories), expected)
        out[str(name)] = dist
    return out


def _androgen(spec: Any, field: str) -> AndrogenExposure | None:
    if spec is None:
        return None
    if not isinstance(spec, Mapping) or not isinstance(spec.get("agents"), list):
        raise ParameterError(field, spec, "a mapping with 'agents' (a list) and 'duration_weeks'")
    duration = parse_distribution(spec.get("duration_weeks"), f"{field}.duration_weeks")
    if isinstance(duration, Categorical) or not _positive_support(duration):
        raise ParameterError(
            f"{field}.duration_weeks", spec.get("duration_weeks"), "a distribution of weeks > 0"
        )
    unknown = sorted(set(spec) - {"agents", "duration_weeks", "cycle", "post_cycle"})
    if unknown:
        raise ParameterError(f"{field}.{unknown[0]}", spec[unknown[0]],
                             "one of agents, duration_weeks, cycle, post_cycle")
    options = []
    for i, item in enumerate(spec["agents"]):
        where = f"{field}.agents[{i}]"
        if not isinstance(item, Mapping):
            raise ParameterError(where, item, "a mapping with agent, dose, route, every, weight "
                                 "(or stack: a list of them, and weight)")
        weight = _positive(item.get("weight", 1), f"{where}.weight")
        if "stack" in item:
            stack = item["stack"]
            if not isinstance(stack, list) or not stack:
                raise ParameterError(f"{where}.stack", stack, "a non-empty list of androgens")
            entries = tuple(_agent(a, f"{where}.stack[{j}]") for j, a in enumerate(stack))
        else:
            entries = (_agent(item, where),)
        options.append(AndrogenOption(entries, weight))
    if not options:
        raise ParameterError(f"{field}.agents", [], "at least one androgen")
    cycle = None
    if spec.get("cycle") is not None:
        c = spec["cycle"]
        if not isinstance(c, Mapping) or set(c) != {"on_weeks", "off_weeks"}:
            raise ParameterError(f"{field}.cycle", c,
                                 "{on_weeks: number > 0, off_weeks: number > 0}")
        cycle = Cycle(_positive(c["on_weeks"], f"{field}.cycle.on_weeks"),
                      _positive(c["off_weeks"], f"{field}.cycle.off_weeks"))
    post_cycle = parse_regimen(spec.get("post_cycle") or [], source=f"{field}.post_cycle")
    return AndrogenExposure(tuple(options), duration, cycle, post_cycle)


def _agent(item: Any, where: str) -> RegimenEntry:
    """One androgen of an option: dose, route and interval (start and stop are per man)."""
    if not isinstance(item, Mapping):
        raise ParameterError(where, item, "a mapping with agent, dose, route, every")
    entry_spec = {
        "drug": item.get("agent"),
        "dose": item.get("dose"),
        "route": item.get("route"),
        "every": item.get("every"),
        "start": "0 d",
        "duration": item.get("every"),
    }
    (entry,) = parse_regimen([entry_spec], source=where).entries
    if entry.every_d is None:
        raise ParameterError(f"{where}.every", item.get("every"), "a dosing interval")
    return entry


def _positive_support(dist: Distribution) -> bool:
    if isinstance(dist, Truncated | Uniform):
        return dist.low > 0
    if isinstance(dist, Fixed):
        return dist.value > 0
    return isinstance(dist, LogNormal)


def _variability(spec: Any, field: str) -> dict[str, Variability]:
    if not isinstance(spec, Mapping):
        raise ParameterError(field, spec, "a mapping parameter: {cv, source[, median]}")
    out: dict[str, Variability] = {}
    known = _parameter_names() if spec else frozenset()
    for name, item in spec.items():
        if name not in known:
            raise UnknownCodeError(f"{field}.{name}", name, "a field of androcast.model.Parameters")
        if not isinstance(item, Mapping):
            raise ParameterError(f"{field}.{name}", item, "a mapping {cv, source}")
        cv = _positive(item.get("cv"), f"{field}.{name}.cv")
        median = _positive(item.get("median", 1.0), f"{field}.{name}.median")
        source = item.get("source")
        if not source:
            raise ParameterError(f"{field}.{name}.source", source, "a citation key or 'G: ...'")
        out[str(name)] = Variability(cv, str(source), median)
    return out


def _parameter_names() -> frozenset[str]:
    from androcast.population._model_link import parameter_names

    return parameter_names()
