"""Prognosis per protocol for one man: his twin's men, each protocol, one batch.

Every man of his posterior (``androcast.twin``) is run once through his own androgen
history up to the start date; every protocol then branches from that state, all men on all
protocols in one call of the compiled batch engine (``twin.branch``), and a man stops once
he has met every outcome asked for. A protocol the engine cannot run is reported in the
caveats, not dropped silently. The months are counted from the start: the date of his
latest result, when the clinician decides (or time 0 if that is later). The posterior
weights turn the men's first times at the outcome into his probabilities (``curves``); the
12-month probability maps to the qualitative class through the interpretation layer's own
``prognosis_class``, so both layers speak the same language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from androcast import DEFAULT_PARTICLES, display
from androcast.drugs import DrugKind, get_drug
from androcast.errors import ParameterError, SimulationError
from androcast.interpret import Assessment, interpret, prognosis_class
from androcast.labs import Case
from androcast.model import STATE_NAMES
from androcast.population import (
    DAYS_PER_MONTH,
    Observable,
    Outcome,
    parse_outcome,
    parse_outcomes,
    time_to_event,
)
from androcast.prognosis.current import for_him
from androcast.prognosis.curves import Curve, weighted_curve
from androcast.prognosis.decline import Decline, decline_for
from androcast.prognosis.evidence import (
    EvidenceRow,
    closest,
    judge,
    order_caveats,
    populations,
    stored_verdict,
)
from androcast.prognosis.pregnancy import CITATIONS as PREGNANCY_CITATIONS
from androcast.prognosis.pregnancy import (
    PREGNANCY_NATURAL,
    SEMEN_FOR_PREGNANCY,
    couple_of,
    pregnancy_curve,
)
from androcast.prognosis.pregnancy import caveats as pregnancy_caveats
from androcast.prognosis.protocols import Protocol, appropriate_protocols, get_protocol, why_not
from androcast.prognosis.scenario import Scenario, scenario_of
from androcast.regimens import compile_regimen
from androcast.simulate.batch import batch_species
from androcast.twin import (
    Posterior,
    case_time_zero,
    history_state,
    latest_result_date,
    personalise,
    simulate_branches,
)
from androcast.twin.companions import with_companions
from androcast.twin.prior import fsh_limited

FloatArray = NDArray[np.float64]
__all__ = ["DEFAULT_PARTICLES", "Prognosis", "ProtocolForecast", "prognose"]

MONTHS = (3.0, 6.0, 9.0, 12.0, 18.0, 24.0)
GRID_STEP_D = 7.0  # output every week: times to an outcome to within a week
#: Men who met every outcome stop after each 13 weekly outputs (a quarter; flag G: a few
#: engine calls, most of the saving of stopping each man at his first time).
SEGMENT_OUTPUTS = 13
#: Largest Monte Carlo standard error of a month's probability before a prognosis is low
#: confidence (flag G: the error of 25 independent men at p = 0.5, stricter than the ten
#: effective men LOW_CONFIDENCE_ESS asks of the twin, whose error at 0.5 is 0.16).
MAX_MC_SE = 0.1
DISCLAIMER = ("Decision support for health professionals; not a diagnosis or a treatment "
              "decision.")
CAVEAT_LIU = ("The prior is built on men recovering after hormonal contraception "
              "(liu2006), an optimistic population for clinical TRT users: older men with "
              "longer use recover more slowly (kohn2017).")
CAVEAT_AAS = ("Non-testosterone anabolic steroids: recovery is extrapolated from "
              "testosterone data; AAS users are usually slower and less complete to recover "
              "(clinical.md section 3, qualitative evidence only).")

CAVEAT_NO_ANDROGENS = (
    "No androgen history: the twin's prior spreads the hypothalamic GnRH drive from near zero "
    "to above normal, so his LH, FSH and testosterone can place him at low drive (congenital or "
    "acquired hypogonadotropic hypogonadism) or at a normal axis. It does not hold "
    "hyperprolactinaemia, pituitary lesions or loss of gonadotrope cells (the pump is forecast "
    "as if his pituitary responded normally), other hormone deficiencies, or small or "
    "undescended testes (his Leydig and Sertoli capacity are those of men with a normal axis, "
    "so inhibin B stays near normal in the model); sperm curves in congenital deficiency are "
    "not validated against gonadotropin cohorts (liu2002, muir2024).")

#: Reserve below which a man has in effect no spermatogonia to regenerate from: regrowth
#: from survivors needs ln(1e12) = 28 e-foldings, 20 months at the fitted k_rg (0.046/d).
#: After TRT the twin's men start at 1e-10 to 0.2 (median 5e-4); a Kallmann man at 1e-17
#: and below (the model's steady state without drive is an empty reserve).
EMPTY_RESERVE = 1e-12
SEMEN_OBSERVABLES = frozenset({"sperm_concentration", "sperm_total_count", "tmsc"})
CAVEAT_EMPTY_RESERVE = (
    "Sperm curves not forecast: most of his virtual men have never made sperm (their "
    "spermatogonial reserve is empty at the start). The model's induction pool (FSH seeding "
    "the reserve from prepubertal spermatogonia) is calibrated on a congenital-HH cohort but "
    "not yet personalised in his twin, whose men regenerate only from surviving "
    "spermatogonia, so his sperm curves would read about 0 on every protocol. Gonadotropin "
    "cohorts in "
    "hypogonadotropic hypogonadism report sperm in 78 %, > 5 M/mL in 36 % and > 20 M/mL in "
    "15 % after a median 18 months (hypogonadotropic_hypogonadism.muir2024_proportion_"
    "reaching), with median times of 5.5, 12.4 and 29.1 months (liu2002).")


@dataclass(frozen=True)
class ProtocolForecast:
    protocol: Protocol
    curve: Curve
    prognosis_class: str | None  # of the probability by 12 months
    note: str | None  # why it is shown although his interpretation rules it out
    evidence: tuple[EvidenceRow, ...] = ()  # the closest published figures, judged


CAVEAT_STOPS_NOW = ("He is still taking androgens: the curves assume he stops now (t0 is one "
                    "dosing interval after a last dose today; handelsman2005) and every "
                    "protocol starts at that stop, none alongside continued androgens.")


@dataclass(frozen=True)
class AssessmentClass:
    """The Assessment's prognosis class, the one the forecast is read against (G-CLASS)."""

    class_: str | None
    rule: str | None
    basis: str
    endpoint: str = "spermatogenesis"  # what its class speaks of (interpret rules' endpoint)

    def to_dict(self) -> dict[str, Any]:
        return {"class": self.class_, "rule": self.rule, "basis": self.basis,
                "endpoint": self.endpoint}


@dataclass(frozen=True)
class Prognosis:
    """Recovery curves of one outcome under each protocol (the Prognosis JSON of DESIGN.md),
    or, where his assessment leaves the model without a mechanism, a coded decline and no
    curves (``declined``; ``posterior`` is then None: no twin is built)."""

    outcome: str
    t0: dt.date
    protocols: tuple[ProtocolForecast, ...]
    posterior: Posterior | None
    citations: tuple[str, ...]
    caveats: tuple[str, ...]
    assessment_class: AssessmentClass | None = None
    declined: Decline | None = None
    forecast_men: int = 0  # men forecast: his posterior's and their companions
    scenario: Scenario | None = None  # what the curves assume of androgens he takes now

    def to_dict(self) -> dict[str, Any]:
        assessed = None if self.assessment_class is None else self.assessment_class.to_dict()
        if self.declined is not None or self.posterior is None:
            return {
                "outcome": self.outcome, "t0": self.t0.isoformat(),
                "declined": None if self.declined is None else self.declined.to_dict(),
                "assessment_class": assessed,
                "basis": {"citations": list(self.citations), "caveats": list(self.caveats),
                          "warnings": [], "disclaimer": DISCLAIMER},
            }
        rows = []
        for f in self.protocols:
            row: dict[str, Any] = {
                "id": f.protocol.id, "name": f.protocol.name,
                **({} if f.protocol.change is None else
                   {"change": f.protocol.change, "regimen": list(f.protocol.regimen)}),
                "months": list(f.curve.months),
                "probability": list(f.curve.probability),
                "interval_90": [list(i) for i in f.curve.interval_90],
                "median_months": f.curve.median_months,
                "prognosis_class": f.prognosis_class,
            }
            if f.note:
                row["note"] = f.note
            differs = class_difference(f, self.assessment_class, self.outcome)
            if differs:
                row["class_note"] = differs
            row["evidence"] = [e.to_dict() for e in f.evidence]
            rows.append(row)
        post = self.posterior
        mc_se = {f.protocol.id: list(f.curve.mc_se) for f in self.protocols}
        out: dict[str, Any] = {
            "outcome": self.outcome,
            "t0": self.t0.isoformat(),
            "protocols": rows,
            "assessment_class": assessed,
            "basis": {
                "n_virtual": post.n, "forecast_men": self.forecast_men or post.n,
                "ess": round(post.ess_, 1),
                "n_results": post.n_observations_, "mc_se": mc_se,
                "low_confidence": self.low_confidence, "converged": post.converged_,
                "islands": int(post.islands.max()) + 1,
                "cohort": post.cohort.name, "population": _population_name(post),
                "citations": list(self.citations), "caveats": list(self.caveats),
                "warnings": list(post.notices), "at_prior_edge": list(post.at_prior_edge),
                "disclaimer": DISCLAIMER,
            },
        }
        if self.scenario is not None:
            out["basis"]["scenario"] = self.scenario.to_dict()
        if self.outcome == PREGNANCY_NATURAL and post.case.partner is not None:
            out["basis"]["partner_age_years"] = post.case.partner.age_years  # her curve's age
        return out

    @property
    def low_confidence(self) -> bool:
        """His twin is low confidence (few effective men, no usable result, or the sampler
        has not converged) or a month's probability has a Monte Carlo error above
        MAX_MC_SE. A declined forecast builds no twin: nothing to be confident of."""
        if self.posterior is None:
            return False
        return self.posterior.low_confidence or any(
            s > MAX_MC_SE for f in self.protocols for s in f.curve.mc_se)


#: The observables that speak of his own testosterone axis rather than of sperm output.
HORMONAL = frozenset({Observable.testosterone_total, Observable.lh})


def endpoint_of(outcome: str) -> str:
    """What an outcome code measures, in the words of the rules' ``prognosis.endpoint``."""
    return "testosterone" if parse_outcome(outcome).observable in HORMONAL else "spermatogenesis"


def class_difference(forecast: ProtocolForecast, assessed: AssessmentClass | None,
                     outcome: str) -> str | None:
    """Why this protocol's class differs from the Assessment's (None when they agree).

    The two are compared only where they speak of the same endpoint: the class of a
    forecast of his testosterone is not read against a cited class of sperm recovery."""
    if assessed is None or assessed.class_ is None or forecast.prognosis_class is None:
        return None
    if forecast.prognosis_class == assessed.class_:
        return None
    if assessed.endpoint not in ("both", endpoint_of(outcome)):
        return (f"the assessment's class '{assessed.class_}' ({assessed.rule}) speaks of "
                f"{assessed.endpoint}; this forecast is of {outcome}, so the two classes "
                f"are not compared")
    p12 = _probability_at(forecast.curve, 12.0)
    return (f"the twin's {p12:.0%} by 12 months on {forecast.protocol.id} reads "
            f"'{forecast.prognosis_class}'; the assessment's cited rule {assessed.rule} reads "
            f"'{assessed.class_}' for men like him ({assessed.basis})")


def _population_name(post: Posterior) -> str:
    fitted = bool(post.population.typical or post.population.variability)
    return "calibrated (calibrate/data/fitted.yaml)" if fitted else "reference man (no fit stored)"


def default_outcome(case: Case) -> str:
    """Sperm concentration >= 20 M/mL (liu2006) for fertility; normal T otherwise."""
    return "testosterone_normal" if case.goal == "testosterone" else "concentration_ge_20m_per_ml"


def start_date(case: Case) -> dt.date:
    """The forecast's start: his latest result, or time 0 if that is later (``start_day``)."""
    t0 = case_time_zero(case)
    latest = latest_result_date(case)
    return t0 if latest is None else max(t0, latest)


def forecast_twin(case: Case, *, n: int, seed: int) -> Posterior:
    """His twin for a forecast: the protocols take over his restoration drugs from the
    start, so the drugs he takes now are dosed up to the day before it and not beyond (a
    continued drug is the protocol's, never dosed twice; watchful waiting stops it)."""
    return personalise(case, n=n, seed=seed, treatment_start=start_date(case))


def start_day(post: Posterior) -> float:
    """Model day of the start: his latest result, or time 0 if that is later."""
    latest = latest_result_date(post.case)
    return max(0.0, float((latest - post.t0).days)) if latest else 0.0


def prognose(
    case: Case,
    protocols: Sequence[str] | None = None,
    outcomes: Sequence[str] | None = None,
    *,
    n: int = DEFAULT_PARTICLES,
    seed: int = 1,
    posterior: Posterior | None = None,
    months: Sequence[float] = MONTHS,
    forecast_men: int | None = None,
) -> tuple[Prognosis, ...]:
    """Curves for each outcome under each protocol (default: those appropriate for him).

    ``forecast_men``: men forecast per man of his posterior, himself and his companions
    (``twin.companions``; default ``men_per_man``, 1: the posterior's men alone)."""
    codes = tuple(outcomes or (default_outcome(case),))
    pregnancy = PREGNANCY_NATURAL in codes
    couple = couple_of(case) if pregnancy else None  # before any work: his partner's age
    parsed = parse_outcomes([c for c in codes if c != PREGNANCY_NATURAL], field="outcome")
    months_t = tuple(float(m) for m in months)
    if not months_t or min(months_t) <= 0:
        raise ParameterError("months", months_t, "positive months, e.g. 3, 6, 12")
    assessment = interpret(case)
    if protocols:
        chosen = tuple(get_protocol(p, field="protocol") for p in protocols)
    else:
        chosen = appropriate_protocols(assessment)
    # his current drugs continued (lowered where his assessment says so) or stopped
    chosen = tuple(for_him(p, case, assessment.action_codes()) for p in chosen)
    assessed = assessment_class(assessment)
    declined = decline_for(assessment)
    if declined is not None:  # no mechanism for his problem: no twin, no curve
        return tuple(Prognosis(code, case.as_of, (), None, declined.citations, (),
                               assessed, declined) for code in codes)
    post = posterior if posterior is not None else forecast_twin(case, n=n, seed=seed)
    men = with_companions(post, forecast_men)
    start = start_day(post)
    horizon_d = max(months_t) * DAYS_PER_MONTH
    grid = start + np.arange(0.0, horizon_d + GRID_STEP_D, GRID_STEP_D)
    kinds = populations(case, [c.code for c in assessment.causes], fsh_limited(case))
    figures = {c.id: tuple(f for f in closest(c.id, kinds) if f.month <= max(months_t))
               for c in chosen}
    extra = parse_outcomes(sorted({f.outcome for fs in figures.values() for f in fs
                                   if f.outcome is not None} - set(codes)), field="evidence")
    values, skipped, empty = _simulate(men, chosen, (*parsed, *extra), start, horizon_d,
                                       grid, SEMEN_FOR_PREGNANCY if pregnancy else ())
    never_made_sperm = float(np.sum(men.weights_[empty])) >= 0.5
    chosen = tuple(c for c in chosen if c.id in values)
    grid_months = (grid - start) / DAYS_PER_MONTH
    t0 = post.t0 + dt.timedelta(days=start)
    caveats = _caveats(case)
    scenario = scenario_of(case, assessment)
    out = []
    def curve_of(protocol: Protocol, outcome: Outcome, at: tuple[float, ...]) -> Curve:
        block = values[protocol.id][str(outcome.observable)]
        event_d = time_to_event(outcome, grid, block)
        return weighted_curve((event_d - start) / DAYS_PER_MONTH, men.weights_, at,
                              grid_months, men.island_, men.lineage_)

    by_code = {o.code: o for o in (*parsed, *extra)}
    for outcome in parsed:
        forecasts = []
        for protocol in chosen:
            curve = curve_of(protocol, outcome, months_t)
            p12 = _probability_at(curve, 12.0)
            rows = []
            for figure in figures[protocol.id]:
                if figure.kind == "odds_ratio":  # beside the couple's curve, not his semen's
                    continue
                at_figure = (None if figure.outcome is None else
                       curve if figure.outcome == outcome.code else
                       curve_of(protocol, by_code[figure.outcome], (figure.month,)))
                row = judge(figure, at_figure, stored_verdict(figure.judged_on)
                            if figure.judged_on else None)
                if row is not None:
                    rows.append(row)
            forecasts.append(ProtocolForecast(
                protocol, curve, None if p12 is None else prognosis_class(p12),
                None if protocols is None else _note(protocol, assessment), tuple(rows)))
        citations = sorted({*post.cohort.sources, outcome.source,
                            *(c for p in chosen for c in p.citations)}
                           - {"user threshold"})
        own: tuple[str, ...] = ((CAVEAT_EMPTY_RESERVE,) if never_made_sperm
                                and str(outcome.observable) in SEMEN_OBSERVABLES else ())
        own += order_caveats([(f.protocol.id, e) for f in forecasts for e in f.evidence])
        out.append(Prognosis(outcome.code, t0, tuple(forecasts), post, tuple(citations),
                             (*caveats, *own, *skipped), assessed, forecast_men=men.n,
                             scenario=scenario))
    if couple is not None:
        def beside_pregnancy(protocol: Protocol) -> tuple[EvidenceRow, ...]:
            """The stored verdict of each published pregnancy odds ratio for this protocol."""
            rows = (judge(f, None, stored_verdict(f.judged_on) if f.judged_on else None)
                    for f in figures[protocol.id] if f.kind == "odds_ratio")
            return tuple(r for r in rows if r is not None)

        forecasts = [ProtocolForecast(
            protocol, pregnancy_curve(values[protocol.id], grid, start, couple, men.weights_,
                                      months_t, men.island_, men.lineage_),
            None, None if protocols is None else _note(protocol, assessment),
            beside_pregnancy(protocol))
            for protocol in chosen]
        citations = sorted({*post.cohort.sources, *PREGNANCY_CITATIONS,
                            *(c for p in chosen for c in p.citations)})
        own = (CAVEAT_EMPTY_RESERVE,) if never_made_sperm else ()
        out.append(Prognosis(PREGNANCY_NATURAL, t0, tuple(forecasts), post, tuple(citations),
                             (*caveats, *pregnancy_caveats(couple), *own, *skipped), assessed,
                             forecast_men=men.n, scenario=scenario))
    order = {code: i for i, code in enumerate(codes)}
    return tuple(sorted(out, key=lambda p: order[p.outcome]))


def assessment_class(assessment: Assessment) -> AssessmentClass:
    """The Assessment's prognosis class with its rule and basis."""
    p = assessment.prognosis
    return AssessmentClass(p.class_, p.rule, p.basis, p.endpoint)


def _simulate(post: Posterior, chosen: Sequence[Protocol], outcomes: Sequence[Outcome],
              start: float, horizon_d: float,
              grid: FloatArray, whole_paths: Sequence[str] = ()
              ) -> tuple[dict[str, dict[str, FloatArray]], list[str], NDArray[np.bool_]]:
    """Each protocol's observables (grid, N), branched from his history; what was skipped;
    and which men start with an empty spermatogonial reserve.

    One batch holds every man on every protocol the engine can run. A man stops once he
    has met every outcome (only his first times count) unless ``whole_paths`` names
    observables needed over the whole horizon; should the joint batch fail, the
    protocols are run one by one, so one failing protocol only skips itself.
    """
    names = sorted({str(o.observable) for o in outcomes} | set(whole_paths))
    p = post.parameters()
    try:
        state = history_state(p, post.history, post.n, start, known=post.history_state_)
    except SimulationError as err:  # his own history is beyond the batch engine
        return {}, [f"{c.id} not simulated: {err}" for c in chosen], np.zeros(post.n, bool)
    empty = state.y[STATE_NAMES.index("Rsg")] < EMPTY_RESERVE
    regimens = {c.id: post.history.combine(c.regimen_from(start, horizon_d + GRID_STEP_D))
                for c in chosen}
    skipped: list[str] = []
    for c in chosen:
        try:  # cheap check of the drugs first (the batch engine cannot run every drug)
            batch_species(p, [compile_regimen(regimens[c.id], t_start_d=start,
                                              t_end_d=float(grid[-1]) + 1.0)])
        except SimulationError as err:
            skipped.append(f"{c.id} not simulated: {err}")
            del regimens[c.id]

    def met_all(values: Mapping[str, FloatArray]) -> NDArray[np.bool_]:
        return np.asarray(np.logical_and.reduce(
            [o.holds(values[str(o.observable)]).any(axis=0) for o in outcomes]))

    def run(ids: Sequence[str]) -> dict[str, dict[str, FloatArray]]:
        blocks = simulate_branches(p, state, [regimens[i] for i in ids], grid, names,
                                   done=None if whole_paths else met_all,
                                   segment=SEGMENT_OUTPUTS)
        return dict(zip(ids, blocks, strict=True))

    if not regimens:
        return {}, skipped, empty
    try:
        return run(list(regimens)), skipped, empty
    except SimulationError:
        values: dict[str, dict[str, FloatArray]] = {}
        for protocol_id in regimens:
            try:
                values.update(run([protocol_id]))
            except SimulationError as err:
                skipped.append(f"{protocol_id} not simulated: {err}")
        return values, skipped, empty


def _note(protocol: Protocol, assessment: Any) -> str | None:
    reason = why_not(protocol, assessment)
    return None if reason is None else f"not appropriate for him ({reason}); shown on request"


def _probability_at(curve: Curve, month: float) -> float | None:
    for m, p in zip(curve.months, curve.probability, strict=True):
        if m == month:
            return p
    return None


def caveat_unsimulated(case: Case) -> str | None:
    """The drugs he takes now that the model does not dose (no route: history only), said
    beside his curves: their effect is in his fitted axis as he is on them, held as if he
    continues them, and stopping or tapering them is not forecast."""
    names = [m.name or display.label("drug", m.agent) for m in case.history.courses
             if m.current(case.as_of) and not get_drug(m.agent).routes]
    if not names:
        return None
    return (f"He takes {', '.join(dict.fromkeys(names))}, which the model does not simulate "
            f"(history only): the twin reads his results as they are on it, the curves hold "
            f"its effect as if he continues it, and stopping or tapering it is not forecast.")


def _caveats(case: Case) -> tuple[str, ...]:
    kinds = {get_drug(u.agent).kind for u in case.history.androgens}
    out = []
    unsimulated = caveat_unsimulated(case)
    if unsimulated is not None:
        out.append(unsimulated)
    if any(u.stop is None for u in case.history.androgens):
        out.append(CAVEAT_STOPS_NOW)
    if kinds:
        out.append(CAVEAT_LIU)
    if DrugKind.aas in kinds:
        out.append(CAVEAT_AAS)
    if not kinds:
        out.append(CAVEAT_NO_ANDROGENS)
    return tuple(out)
