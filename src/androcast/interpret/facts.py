"""The facts a rule may ask about a case: latest lab values, history, semen, derived values.

Analyte keys (``testosterone_total``, ``lh`` ...) evaluate to the latest result, tagged with
its unit and the reference interval the laboratory gave (lab-specific ranges override the
catalogue defaults inside ``androcast.labs``). Every other name is a fact listed in
:data:`FACT_NAMES`. A fact that the case does not provide is ``None`` (unknown), never a
guess.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from androcast import display
from androcast.drugs import RESTORATION_KINDS, DrugKind, get_drug
from androcast.errors import UnknownCodeError
from androcast.interpret.evaluate import Truth
from androcast.interpret.values import Quantity, RangeUsed, Value, normalise_unit
from androcast.labs import Case, LabResult, analyte, derive
from androcast.units import convert as convert_units

_DAYS_PER = {"d": 1.0, "wk": 7.0, "mo": 30.4375, "y": 365.25}

FACT_NAMES: Mapping[str, str] = {
    "age_years": "age (y)",
    "bmi": "body-mass index (kg/m2)",
    "testis_volume_min": "volume of the smaller testis (mL)",
    "goal": "fertility | testosterone | both",
    "wants_fertility": "goal is fertility or both",
    "androgen.ever": "any androgen (testosterone or AAS) in the history",
    "androgen.current": "an androgen still being taken",
    "androgen.testosterone": "a testosterone preparation in the history",
    "androgen.aas": "a non-testosterone anabolic steroid in the history",
    "androgen.compounds": "number of distinct androgen agents (agents)",
    "androgen.duration": "total time on androgens (y)",
    "months_since_androgen_stop": "time from t0 (last dose + one interval, handelsman2005) "
    "to the interpretation date (mo)",
    "months_off_androgens_at_lh_fsh": "time from t0 to the latest LH/FSH result, the results "
    "that show whether the axis has recovered; to the interpretation date when LH and FSH "
    "were never measured (mo)",
    "months_since_lh_fsh": "age of the latest LH/FSH result at the interpretation date (mo)",
    "sperm_concentration": "latest sperm concentration (M/mL)",
    "azoospermia": "latest semen analysis without sperm",
    "semen.analyses": "number of semen analyses (analyses)",
    "semen.previous_azoospermia": "an earlier semen analysis without sperm",
    "tmsc": "latest total motile sperm count (M, Hamilton 2015)",
    "t_e2_ratio": "testosterone (ng/dL) / estradiol (pg/mL)",
    "free_testosterone_calc": "calculated free testosterone (pmol/L, Vermeulen 1999)",
    "homa_ir": "HOMA insulin-resistance index",
    # added (clinic suite: EXTENSIONS.md)
    "restoration.current": "hCG, FSH, a SERM, an aromatase inhibitor or gonadorelin taken now",
    "serm.current": "a SERM (clomiphene, enclomiphene, tamoxifen) taken now",
    "pre_treatment.testosterone_total": "the latest testosterone drawn before the restoration "
    "therapy he takes now started (his own axis, without the drug)",
    "pre_treatment.lh": "the latest LH drawn before the restoration therapy he takes now started",
    "testosterone_total.outside_morning_fasting": "the latest testosterone was drawn outside "
    "07:00-11:00 or not fasting (as recorded)",
    "semen.volume": "latest semen volume (mL)",
    "semen.ph": "latest semen pH (pH)",
    "semen.cryptozoospermia": "sperm only in the centrifuged pellet, and no later analysis with "
    "1 M/mL or more",
    "semen.urine_sperm": "sperm seen in post-ejaculate urine",
    "exam.visual_field_defect": "visual fields abnormal on examination",
    "exam.vasa_not_palpable": "one or both vasa deferentia not palpable",
    "exam.clinical_varicocele": "a palpable (grade 1-3) varicocele on examination",
    "gonadotoxic.ever": "past chemotherapy or radiotherapy",
    "children": "children he has fathered (children)",
    "partner.age_years": "the female partner's age (y)",
    "partner.evaluation_abnormal": "the female partner's fertility evaluation is abnormal",
}

MORNING = (dt.time(7, 0), dt.time(11, 0))  # mulhall2018 / EAU SRH sampling window


def convert(value: float, from_unit: str, to_unit: str, analyte_key: str | None) -> float:
    """A threshold in the unit of the value it is compared with."""
    a, b = normalise_unit(from_unit), normalise_unit(to_unit)
    if a == b:
        return value
    if a in _DAYS_PER and b in _DAYS_PER:
        return value * _DAYS_PER[a] / _DAYS_PER[b]
    return float(convert_units(value, a, b, analyte=analyte_key))


def is_analyte(name: str) -> bool:
    try:
        analyte(name)
    except UnknownCodeError:
        return False
    return True


def is_known_input(name: str) -> bool:
    return name in FACT_NAMES or is_analyte(name)


def is_lab_series(name: str) -> bool:
    """An analyte read from his lab results, whose results count() counts (a fact of the
    same name, such as a calculated value, is read as the fact)."""
    return name not in FACT_NAMES and is_analyte(name)


def _lab_quantity(result: LabResult) -> Quantity:
    ref = result.reference
    shown = f"{display.number(result.value)} {display.unit(result.unit)}"
    if normalise_unit(result.reported_unit) != normalise_unit(result.unit):
        shown += (f" (reported {display.number(result.reported_value, digits=4)} "
                  f"{display.unit(result.reported_unit)})")
    censor = result.censor or ""
    return Quantity(
        value=result.value,
        unit=result.unit,
        label=f"{result.analyte} {censor}{shown} on {result.date.isoformat()}",
        analyte=result.analyte,
        censor=result.censor,
        reference=RangeUsed(
            analyte=result.analyte,
            low=ref.low,
            high=ref.high,
            unit=ref.unit,
            source=ref.source,
            population=ref.population,
        ),
    )


def _number(derived: Any, name: str) -> float | None:
    """A derived value as a float, whether ``derive`` gives a number or a record with .value."""
    item = getattr(derived, name, None)
    if item is None:
        return None
    value = getattr(item, "value", item)
    return None if value is None else float(value)


def _plain(value: float | None, unit: str, label: str) -> Quantity | None:
    return (
        None
        if value is None
        else Quantity(value=value, unit=unit, label=f"{label} {display.number(value)} {unit}")
    )


@dataclass(frozen=True)
class _Androgens:
    ever: bool
    current: bool
    testosterone: bool
    aas: bool
    compounds: int
    duration_y: float | None


def _androgens(case: Case) -> _Androgens:
    uses = case.history.androgens
    kinds = {use.agent: get_drug(use.agent).kind for use in uses}
    spans = [(use.start, min(use.stop or case.as_of, case.as_of)) for use in uses
             if use.start is not None]
    duration_d = _covered_days(spans) if len(spans) == len(uses) else None
    return _Androgens(
        ever=bool(uses),
        current=any(use.stop is None or use.stop > case.as_of for use in uses),
        testosterone=any(kind == DrugKind.testosterone for kind in kinds.values()),
        aas=any(kind == DrugKind.aas for kind in kinds.values()),
        compounds=len(kinds),
        duration_y=None if duration_d is None else duration_d / _DAYS_PER["y"],
    )


def _covered_days(spans: list[tuple[dt.date, dt.date]]) -> float:
    """Days covered by at least one course: a stack of compounds taken together counts its
    calendar time once (rahnema2014 and kohn2017 count time on androgens, not compound-time)."""
    covered, reached = 0, dt.date.min
    for start, end in sorted(spans):
        start = max(start, reached)
        if end > start:
            covered += (end - start).days
            reached = end
    return float(covered)


def _androgen_t0(case: Case, stop: dt.date) -> dt.date:
    """When androgens ended: the last dose plus one dosing interval, because a depot keeps
    suppressing for one interval (Handelsman 2005 t0 convention)."""
    interval_d = max(
        (use.every_d for use in case.history.androgens if use.stop == stop), default=0.0
    )
    return stop + dt.timedelta(days=interval_d)


def _months_between(start: dt.date, end: dt.date) -> float:
    return max((end - start).days, 0) / _DAYS_PER["mo"]


def _latest_lh_fsh_date(case: Case) -> dt.date | None:
    """Date of the latest LH or FSH result: the panel that says where the axis stands."""
    dates = [r.date for r in (case.latest("lh"), case.latest("fsh")) if r is not None]
    return max(dates, default=None)


def _time_facts(case: Case) -> dict[str, Value]:
    """Times that matter for reading results: off androgens when the axis was last seen
    (persistence is a statement about results, not about today) and the age of that panel."""
    stop = case.androgen_stop_date()
    panel = _latest_lh_fsh_date(case)
    t0 = None if stop is None else _androgen_t0(case, stop)
    off_at_panel: Quantity | None = None
    if t0 is not None:
        seen = panel or case.as_of
        where = (
            f"LH/FSH of {panel.isoformat()}" if panel else f"{case.as_of.isoformat()} (no LH/FSH)"
        )
        months = _months_between(t0, seen)
        off_at_panel = Quantity(
            value=months,
            unit="mo",
            label=(f"time off androgens (t0 {t0.isoformat()}) at {where} "
                   f"{display.number(months)} mo"),
        )
    return {
        "months_since_androgen_stop": (
            None
            if t0 is None
            else _plain(_months_between(t0, case.as_of), "mo", "time since stopping androgens")
        ),
        "months_off_androgens_at_lh_fsh": off_at_panel,
        "months_since_lh_fsh": (
            None
            if panel is None
            else Quantity(
                value=_months_between(panel, case.as_of),
                unit="mo",
                label=(
                    f"LH/FSH of {panel.isoformat()} is "
                    f"{display.number(_months_between(panel, case.as_of))} mo old on "
                    f"{case.as_of.isoformat()}"
                ),
            )
        ),
    }


def _sampling_off(case: Case) -> bool | None:
    """Whether the latest testosterone was drawn outside the morning or not fasting."""
    latest = case.latest("testosterone_total")
    if latest is None or (latest.time is None and latest.fasting is None):
        return None
    late = latest.time is not None and not MORNING[0] <= latest.time <= MORNING[1]
    return late or latest.fasting is False


def _sides(pair: tuple[str | None, str | None] | None) -> list[str]:
    """The recorded sides of an examination finding (left, right)."""
    return [v for v in (pair or ()) if v is not None]


def _before_restoration(case: Case, analyte_key: str) -> Quantity | None:
    """His latest result drawn before the current restoration drugs started: the axis
    without the drug (a value on hCG or a SERM reflects the drug, CUR-RESTORE-1)."""
    kinds = [c for c in case.current_medications() if get_drug(c.agent).kind in RESTORATION_KINDS]
    starts = [c.start for c in kinds if c.start is not None]
    if not starts:
        return None
    began = min(starts)
    before = [r for r in case.series(analyte_key) if r.date < began]
    return _lab_quantity(before[-1]) if before else None


def _clinic_values(case: Case) -> dict[str, Value]:
    """Facts from the clinic suite's extensions (exam, courses, semen details)."""
    current = case.current_medications()
    kinds = {c.agent: get_drug(c.agent).kind for c in current}
    latest = case.latest_semen()
    exam = case.exam
    crypto = None
    if case.semen:
        last_crypto = max(
            (i for i, s in enumerate(case.semen) if s.cryptozoospermia), default=None
        )
        crypto = last_crypto is not None and all(
            (s.concentration_m_per_ml or 0) < 1 for s in case.semen[last_crypto + 1 :]
        )
    reproductive = case.history.reproductive
    return {
        "restoration.current": any(k in RESTORATION_KINDS for k in kinds.values()),
        "serm.current": any(k == DrugKind.serm for k in kinds.values()),
        "pre_treatment.testosterone_total": _before_restoration(case, "testosterone_total"),
        "pre_treatment.lh": _before_restoration(case, "lh"),
        "testosterone_total.outside_morning_fasting": _sampling_off(case),
        "semen.volume": None
        if latest is None or latest.volume_ml is None
        else _plain(latest.volume_ml, "mL", "semen volume"),
        "semen.ph": None
        if latest is None or latest.ph is None
        else _plain(latest.ph, "pH", "semen pH"),
        "semen.cryptozoospermia": crypto,
        "semen.urine_sperm": None
        if not case.semen
        else any(
            s.post_ejaculate_urine is not None and s.post_ejaculate_urine.sperm_seen is True
            for s in case.semen
        ),
        "exam.visual_field_defect": None
        if exam is None or exam.visual_fields is None
        else exam.visual_fields != "full",
        "exam.vasa_not_palpable": None
        if exam is None or exam.vas_deferens is None
        else "not_palpable" in _sides(exam.vas_deferens),
        "exam.clinical_varicocele": None
        if exam is None or exam.varicocele is None
        else any(g in ("grade_1", "grade_2", "grade_3") for g in _sides(exam.varicocele)),
        "gonadotoxic.ever": bool(case.history.gonadotoxic_treatment)
        or any(c in case.history.conditions for c in ("chemotherapy", "radiotherapy")),
        "children": None
        if reproductive is None or reproductive.children is None
        else _plain(float(reproductive.children), "children", "children fathered"),
        "partner.age_years": None
        if case.partner is None
        else _plain(case.partner.age_years, "y", "partner's age"),
        "partner.evaluation_abnormal": None
        if case.partner is None or case.partner.evaluation is None
        else case.partner.evaluation == "abnormal",
    }


def _no_sperm(case: Case) -> bool | None:
    """Latest analysis without sperm anywhere: not in the fresh sample, the pellet or the
    post-ejaculate urine (sperm in either is cryptozoospermia or retrograde ejaculation)."""
    latest = case.latest_semen()
    if latest is None or latest.concentration_m_per_ml is None:
        return None
    urine = latest.post_ejaculate_urine
    return (
        latest.concentration_m_per_ml == 0
        and latest.concentration_censor is None
        and latest.pellet_sperm_seen is not True
        and not (urine is not None and urine.sperm_seen is True)
    )


def build_values(case: Case) -> dict[str, Value]:
    """All facts of :data:`FACT_NAMES` for a case (``None`` where the case is silent)."""
    patient = case.patient
    androgens = _androgens(case)
    derived = derive(case)
    volumes = [v for v in (patient.testis_volume_ml or ()) if v is not None]
    semen = case.semen
    latest = case.latest_semen()
    concentration: Quantity | None = None
    azoospermia: bool | None = None
    if latest is not None and latest.concentration_m_per_ml is not None:
        concentration = Quantity(
            value=latest.concentration_m_per_ml,
            unit="M/mL",
            label=(
                f"sperm concentration {latest.concentration_censor or ''}"
                f"{latest.concentration_m_per_ml:g} M/mL on {latest.date.isoformat()}"
            ),
            censor=latest.concentration_censor,
        )
        azoospermia = _no_sperm(case)
    t_e2 = _number(derived, "t_e2_ratio")
    return {
        "age_years": _plain(patient.age_years, "y", "age"),
        "bmi": _plain(patient.bmi, "kg/m2", "BMI"),
        "testis_volume_min": _plain(min(volumes) if volumes else None, "mL", "smaller testis"),
        "goal": case.goal,
        "wants_fertility": case.goal in ("fertility", "both"),
        "androgen.ever": androgens.ever,
        "androgen.current": androgens.current,
        "androgen.testosterone": androgens.testosterone,
        "androgen.aas": androgens.aas,
        "androgen.compounds": Quantity(
            value=float(androgens.compounds),
            unit="agents",
            label=f"{androgens.compounds} androgen agents",
        ),
        "androgen.duration": _plain(androgens.duration_y, "y", "androgen use"),
        **_time_facts(case),
        "sperm_concentration": concentration,
        "azoospermia": azoospermia,
        "semen.analyses": float(len(semen)),
        "semen.previous_azoospermia": any(s.concentration_m_per_ml == 0 for s in semen[:-1]),
        "tmsc": _plain(_number(derived, "tmsc_million"), "M", "TMSC"),
        "t_e2_ratio": _plain(t_e2, "(ng/dL)/(pg/mL)", "T/E2"),
        "free_testosterone_calc": _plain(
            _number(derived, "free_testosterone_pmol_per_l"), "pmol/L", "calculated free T"
        ),
        "homa_ir": _plain(_number(derived, "homa_ir"), "1", "HOMA-IR"),
        **_clinic_values(case),
    }


class Facts:
    """A case seen through the rule language; also carries rule outputs produced so far."""

    def __init__(
        self, case: Case, outputs: Callable[[str, str], tuple[Truth, tuple[str, ...]]]
    ) -> None:
        self.case = case
        self._values = build_values(case)
        self._outputs = outputs
        self._conditions = frozenset(case.history.conditions)
        # a drug is part of his state while he takes it; a stopped course is history
        self._medications = frozenset(c.agent for c in case.current_medications())

    def value(self, name: str) -> Value:
        if name in self._values:
            return self._values[name]
        result = self.case.latest(name)
        return None if result is None else _lab_quantity(result)

    def series(self, analyte_key: str) -> tuple[Quantity, ...]:
        return tuple(_lab_quantity(r) for r in self.case.series(analyte_key))

    def has_condition(self, code: str) -> bool:
        return code in self._conditions

    def has_medication(self, code: str) -> bool:
        return code in self._medications

    def output(self, kind: str, code: str) -> tuple[Truth, tuple[str, ...]]:
        return self._outputs(kind, code)

    def is_analyte(self, name: str) -> bool:
        return is_lab_series(name)
