"""The phased plan for one man: pathway, first step, phases, ranked alternatives, monitoring.

The pathway and its first step come from his Assessment (``pathways.py``); the forecast
either draws curves or declines with the same coded reason as the prognosis
(``prognosis.decline``). Only where the pathway leads on to hormonal treatment and the
forecast draws curves are protocols offered: those his interpretation does not rule out
(as in the prognosis) are simulated for his twin (one batch) and ranked by the predicted
probability of his goal by the target month, and alternatives whose probabilities differ by
no more than their Monte Carlo error (TIE_Z) are reported as tied, not ranked (issue 17);
every other protocol is listed as not offered, with the reason. Where the forecast
declines, nothing is ranked by probability. The escalation rules that apply to an
alternative (a SERM that does not raise LH/FSH by week 6, no sperm after 6 months of hCG,
estradiol out of range or T/E2 < 10, ...) are listed with it, with the monitoring that
checks them, dated from his as-of date at the earliest. The curves are those of the
alternative as started; escalations are not simulated.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from androcast import DISCLAIMER
from androcast.drugs import DrugKind, get_drug
from androcast.interpret import Assessment, interpret
from androcast.labs import Case
from androcast.population import DAYS_PER_MONTH
from androcast.prognosis import DEFAULT_PARTICLES, Prognosis, ProtocolForecast, default_outcome
from androcast.prognosis import prognose as prognose_protocols
from androcast.prognosis.decline import Decline, decline_for
from androcast.prognosis.pregnancy import CITATIONS as PREGNANCY_CITATIONS
from androcast.prognosis.pregnancy import PREGNANCY_NATURAL
from androcast.prognosis.protocols import Protocol, protocols, why_not
from androcast.protocol.art import ArtComparison, ArtTable, compare, default_art_table, why_compare
from androcast.protocol.pathways import (
    Pathway,
    bank_before_change,
    parallel_art,
    pathway_for,
    repeat_stale_first,
)
from androcast.protocol.rules import Escalation, Monitoring, plan_rules


@dataclass(frozen=True)
class Check:
    """A planned check: what, on which date, and why."""

    date: dt.date
    what: str
    why: str


#: Two alternatives whose probabilities by the target month differ by at most this many
#: combined Monte Carlo standard errors (sqrt(se_a^2 + se_b^2), each the curve's ``mc_se``)
#: are tied: the forecast cannot tell which is better (flag G: about a two-sided 95 % test
#: of no difference; conservative, since the protocols share his virtual men and the error
#: of their difference is smaller than the combined one).
TIE_Z = 2.0


@dataclass(frozen=True)
class Alternative:
    rank: int  # position by probability; ``tied_with`` says where the order is not known
    forecast: ProtocolForecast
    probability_by_target: float
    escalations: tuple[Escalation, ...]
    checks: tuple[Check, ...]
    mc_se_by_target: float = 0.0  # Monte Carlo standard error of probability_by_target
    tied_with: tuple[str, ...] = ()  # ids of the alternatives tied with this one (TIE_Z)


def tie_groups(probability: list[float], mc_se: list[float]) -> list[list[int]]:
    """Groups of positions (in descending order of ``probability``) tied within Monte Carlo
    error: neighbours at most TIE_Z combined standard errors apart are tied, and ties chain
    (a ~ b and b ~ c put a, b and c in one group). Singletons are groups of one."""
    groups: list[list[int]] = []
    for i, p in enumerate(probability):
        if groups and abs(probability[i - 1] - p) <= TIE_Z * math.hypot(mc_se[i - 1], mc_se[i]):
            groups[-1].append(i)
        else:
            groups.append([i])
    return groups


@dataclass(frozen=True)
class Step:
    """An action of the plan with the rule and citation of his assessment that raised it."""

    code: str
    rule: str
    citation: str

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "rule": self.rule, "citation": self.citation}


@dataclass(frozen=True)
class Phase:
    name: str  # "first" | "then"
    text: str
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class Plan:
    """``prognosis`` is the forecast behind the ranking (declined, or None where the
    pathway offers no protocol and nothing was simulated); ``start`` is the curves' t0 and
    ``checks_from`` the first day of dated checks (never before his as-of date)."""

    pathway: Pathway
    goal_outcome: str
    target_month: float
    start: dt.date
    alternatives: tuple[Alternative, ...]
    excluded: tuple[tuple[str, str], ...]  # (protocol id, why)
    monitoring: Monitoring
    prognosis: Prognosis | None
    declined: Decline | None = None
    phases: tuple[Phase, ...] = ()
    checks_from: dt.date | None = None
    art: ArtComparison | None = None  # natural attempts vs ART now (time short, partner older)

    @property
    def ties(self) -> tuple[tuple[str, ...], ...]:
        """Groups of alternatives tied within Monte Carlo error (TIE_Z), in rank order."""
        out: list[tuple[str, ...]] = []
        for a in self.alternatives:
            if a.tied_with and not any(a.forecast.protocol.id in t for t in out):
                out.append((a.forecast.protocol.id, *a.tied_with))
        return tuple(out)

    @property
    def forecast(self) -> str | dict[str, str]:
        """"curves", or {"declined": REASON} (DESIGN.md)."""
        return "curves" if self.declined is None else {"declined": self.declined.reason}

    def to_dict(self) -> dict[str, Any]:
        if self.prognosis is not None:
            basis = self.prognosis.to_dict()["basis"]
        else:
            basis = {"citations": list(self.pathway.first_citations), "caveats": [],
                     "disclaimer": DISCLAIMER}
        basis.setdefault("warnings", [])
        out: dict[str, Any] = {
            "pathway": self.pathway.id,
            "first_step": {"code": self.pathway.first, "text": self.pathway.first_text,
                           "rule": self.pathway.rule, "basis": self.pathway.basis,
                           "citations": list(self.pathway.first_citations)},
            "forecast": self.forecast,
            "phases": [{"phase": p.name, "text": p.text,
                        "actions": [s.to_dict() for s in p.steps]} for p in self.phases],
            "goal_outcome": self.goal_outcome, "target_month": self.target_month,
            "start": self.start.isoformat(),
            "checks_from": (self.checks_from or self.start).isoformat(),
            "alternatives": [_alternative_dict(a) for a in self.alternatives],
            "ties": [list(t) for t in self.ties],
            "excluded": [{"id": i, "why": w} for i, w in self.excluded],
            "monitoring": {
                "hormones_weeks_after_change": list(self.monitoring.hormone_weeks_after_change),
                "hormone_analytes": list(self.monitoring.hormone_analytes),
                "semen_every_months": self.monitoring.semen_every_months,
                "citations": list(self.monitoring.citations),
            },
            "basis": basis,
            "art_comparison": None if self.art is None else self.art.to_dict(),
        }
        if self.declined is not None:
            out["declined"] = self.declined.to_dict()
        return out


NO_PUBLISHED_OUTCOME = ("no published outcome for men like him on this protocol: the figure "
                        "is the model's alone")


def _alternative_dict(a: Alternative) -> dict[str, Any]:
    f = a.forecast
    return {
        "rank": a.rank, "id": f.protocol.id, "name": f.protocol.name,
        **({} if f.protocol.change is None else {"change": f.protocol.change}),
        "regimen": list(f.protocol.regimen),
        "probability_by_target": a.probability_by_target,
        "mc_se_by_target": a.mc_se_by_target, "tied_with": list(a.tied_with),
        "months": list(f.curve.months), "probability": list(f.curve.probability),
        "interval_90": [list(i) for i in f.curve.interval_90],
        "median_months": f.curve.median_months,
        "escalations": [{"id": e.id, "check": e.check, "at_week": e.at_week, "when": e.when,
                         "then": e.then, "flag": e.flag, "citations": list(e.citations)}
                        for e in a.escalations],
        "checks": [{"date": c.date.isoformat(), "what": c.what, "why": c.why} for c in a.checks],
        "citations": list(f.protocol.citations),
        # the published figures beside his forecast on this protocol, judged (as prognosis)
        "evidence": [e.to_dict() for e in f.evidence],
        # a protocol ranked without any published figure says so beside its number
        "evidence_note": None if f.evidence else NO_PUBLISHED_OUTCOME,
    }


def _kinds(protocol: Protocol) -> set[DrugKind]:
    return {get_drug(str(e["drug"])).kind for e in protocol.regimen}


def _acts_on(e: Escalation, kinds: set[DrugKind], drugs: set[str], cautions: set[str]) -> bool:
    if not e.allowed_by(cautions):  # his cautions rule it out (plan.yaml unless_cautions)
        return False
    if e.applies_to == "serm":  # a SERM without hCG
        return DrugKind.serm in kinds and "hcg" not in drugs
    if e.applies_to == "hcg":  # hCG; adding FSH only when it is not there yet
        return "hcg" in drugs and not (e.id == "ESC-FSH" and "fsh" in drugs)
    if e.applies_to == "gonadorelin":
        return DrugKind.gnrh in kinds
    if e.id == "ESC-AI":  # not when an AI is already given
        return DrugKind.aromatase_inhibitor not in kinds
    return e.applies_to == "any"


def escalations_for(protocol: Protocol, cautions: set[str]) -> tuple[Escalation, ...]:
    """The escalation rules that can act on this alternative, each for its regimen (a raise
    never above the dose he is already on at its ceiling: ``Escalation.for_regimen``)."""
    kinds = _kinds(protocol)
    drugs = {str(e["drug"]) for e in protocol.regimen}
    return tuple(e.for_regimen(protocol.regimen) for e in plan_rules().escalations
                 if _acts_on(e, kinds, drugs, cautions))


#: Days within which a routine semen analysis and an escalation's are one sample.
SAME_SAMPLE_DAYS = 14


def monitoring_checks(start: dt.date, escalations: tuple[Escalation, ...],
                      monitoring: Monitoring, target_month: float, *,
                      drug_change: bool = True) -> tuple[Check, ...]:
    """Hormone panels after the start and before each escalation point; semen every cycle.
    ``drug_change`` False (no drug started, changed or stopped: watchful waiting off all
    drugs): no panel "weeks after starting" a drug; his axis is followed with each semen
    analysis instead."""
    checks: list[Check] = []
    hormones = "hormones: " + ", ".join(monitoring.hormone_analytes)
    for week in monitoring.hormone_weeks_after_change if drug_change else ():
        checks.append(Check(start + dt.timedelta(weeks=week), hormones,
                            f"{week:g} weeks after starting"))
    for e in escalations:
        if e.at_week is not None:
            checks.append(Check(start + dt.timedelta(weeks=e.at_week), e.check,
                                f"{e.id}: {e.when}"))
    escalation_semen = [c.date for c in checks if c.what == "semen analysis"]
    month = monitoring.semen_every_months
    while month <= target_month:
        day = start + dt.timedelta(days=round(month * DAYS_PER_MONTH))
        # one sample serves both: a routine analysis within a fortnight of an escalation's
        # semen check is that check (week 26 and month 6 fall a day apart)
        if all(abs((day - d).days) > SAME_SAMPLE_DAYS for d in escalation_semen):
            checks.append(Check(day, "semen analysis", "one spermatogenic cycle since the last"))
        if not drug_change:
            checks.append(Check(day, hormones, "with the semen analysis: no drug started"))
        month += monitoring.semen_every_months
    unique = {(c.date, c.what): c for c in checks}
    return tuple(sorted(unique.values(), key=lambda c: (c.date, c.what)))


def _sperm_now(case: Case) -> bool:
    latest = case.latest_semen()
    if latest is None:
        return False
    return bool((latest.concentration_m_per_ml or 0) > 0 or latest.pellet_sperm_seen)


def _sperm_source(case: Case) -> str:
    """Where ICSI's sperm would come from now (display names.yaml art_sperm): his ejaculate
    or bank, his post-ejaculate urine when that is where his sperm are (retrograde
    ejaculation: alkalinised urine, mieusset2017), or none in his latest analysis."""
    if _sperm_now(case):
        return "current_or_banked"
    latest = case.latest_semen()
    urine = None if latest is None else latest.post_ejaculate_urine
    if urine is not None and urine.sperm_seen is True:
        return "post_ejaculate_urine"
    return "none_now"


def phases(assessment: Assessment, pathway: Pathway, case: Case) -> tuple[Phase, ...]:
    """The first step with what belongs beside it, then the rest of his assessment's actions
    (each once, in the assessment's order). The plan's own cited rules add two actions to
    the first phase when his assessment has not: sperm banked before a change of regimen
    when he has sperm now, and assisted reproduction discussed when time is short or the
    partner older."""
    raised = {a.code: Step(a.code, a.rule, a.citation) for a in assessment.actions}
    first: list[Step] = []
    if pathway.first is not None:
        first.append(raised.get(pathway.first) or Step(pathway.first, pathway.rule,
                                                       ", ".join(pathway.first_citations)))
    first += [raised[c] for c in pathway.with_first if c in raised and c != pathway.first]
    if pathway.urgent_only:  # the referral and its urgent work-up only; the rest waits
        taken = {s.code for s in first}
        rest = tuple(s for code, s in raised.items() if code not in taken)
        waits = "once the urgent referral and its work-up are done"
        return (Phase("first", pathway.first_text, tuple(first)),
                *((Phase("then", waits, rest),) if rest else ()))
    additions = []
    if pathway.changes_regimen and _sperm_now(case):
        bank = bank_before_change()
        additions.append(Step(bank.action, bank.rule, ", ".join(bank.citations)))
    art = parallel_art()
    if art.applies(case):
        additions.append(Step(art.action, "PLAN-ART-PARALLEL", ", ".join(art.citations)))
    stale = repeat_stale_first()
    for missing in assessment.missing if pathway.protocols else ():  # too old to treat on:
        rule = next((r for r in missing.needed_by if r in stale.rules), None)  # repeated first
        if rule is not None:
            additions.insert(0, Step(missing.measure, rule, ", ".join(stale.citations)))
    for step in additions:
        if step.code not in {s.code for s in first}:
            first.append(raised.get(step.code, step))
    taken = {s.code for s in first}
    then = tuple(s for code, s in raised.items() if code not in taken)
    out = [Phase("first", pathway.first_text, tuple(first))]
    if then:
        out.append(Phase("then", "after the first step, as his results and response show",
                         then))
    return tuple(out)


def _not_offered(pathway: Pathway, declined: Decline | None) -> str:
    if declined is not None:
        return f"forecast declined ({declined.reason})"
    return (f"pathway {pathway.id} (first step {pathway.first}) does not lead to hormonal "
            f"stimulation now")


DEFAULT_TARGET_MONTH = 12.0


def _art(case: Case, pathway: Pathway, target_month: float,
         pregnancy: tuple[ProtocolForecast, ...], note: str,
         table: ArtTable | None) -> ArtComparison | None:
    """The comparison with ART now, where the plan's rule asks for it (else None)."""
    rule = parallel_art()
    if not rule.applies(case) or pathway.urgent_only:  # ART figures wait on urgent care
        return None
    why = why_compare(case, rule.partner_age_at_least, rule.goal_within_months_at_most)
    return compare(case, why, target_month, pregnancy, note, _sperm_source(case),
                   table or default_art_table(), rule.citations,
                   PREGNANCY_CITATIONS if pregnancy else ())


def _partner_age_known(case: Case) -> bool:
    return case.partner is not None and case.partner.age_years is not None


def plan(case: Case, *, target_month: float | None = None, n: int = DEFAULT_PARTICLES,
         seed: int = 1, outcome: str | None = None, art_table: ArtTable | None = None) -> Plan:
    """The phased plan for him: the pathway and first step from his assessment, and (where
    the pathway leads on to hormonal treatment and the forecast draws curves) the protocols
    his interpretation allows, ranked by P(goal by the target month). The target month is
    the couple's ``goal_within_months`` unless given, else 12."""
    if target_month is None:
        target_month = case.goal_within_months or DEFAULT_TARGET_MONTH
    rules = plan_rules()
    assessment = interpret(case)
    pathway = pathway_for(assessment, case)
    declined = decline_for(assessment)
    cautions = set(assessment.caution_codes())
    code = outcome or default_outcome(case)
    steps = phases(assessment, pathway, case)
    if declined is not None or not pathway.protocols:
        excluded = tuple((p.id, _not_offered(pathway, declined)) for p in protocols())
        forecast = (prognose_protocols(case, None, [code], n=n, seed=seed)[0]
                    if declined is not None else None)
        note = (f"no hormonal protocol is offered ({_not_offered(pathway, declined)}), so no "
                "natural chance under a protocol is forecast")
        return Plan(pathway, code, float(target_month), case.as_of, (), excluded,
                    rules.monitoring, forecast, declined, steps, case.as_of,
                    _art(case, pathway, float(target_month), (), note, art_table))
    excluded_list = []
    chosen = []
    for p in protocols():
        reason = why_not(p, assessment)
        if reason is None:
            chosen.append(p.id)
        else:
            excluded_list.append((p.id, reason))
    months = tuple(sorted({3.0, 6.0, 9.0, 12.0, float(target_month)}))
    # the couple's natural chance rides in the same batch when ART is to be compared
    with_pregnancy = (parallel_art().applies(case) and _partner_age_known(case)
                      and code != PREGNANCY_NATURAL)
    codes = [code, PREGNANCY_NATURAL] if with_pregnancy else [code]
    results = prognose_protocols(case, chosen, codes, n=n, seed=seed, months=months)
    result = results[0]
    pregnancy = results[1].protocols if with_pregnancy else ()
    note = "" if _partner_age_known(case) else (
        "partner.age_years is needed for the couple's natural chance")
    target_index = months.index(float(target_month))
    ranked = sorted(result.protocols, key=lambda f: -f.curve.probability[target_index])
    se = [f.curve.mc_se[target_index] if f.curve.mc_se else 0.0 for f in ranked]
    tied: dict[int, tuple[str, ...]] = {}
    for group in tie_groups([f.curve.probability[target_index] for f in ranked], se):
        for i in group:
            tied[i] = tuple(ranked[j].protocol.id for j in group if j != i)
    checks_from = max(result.t0, case.as_of)
    alternatives = []
    for rank, f in enumerate(ranked, start=1):
        esc = escalations_for(f.protocol, cautions)
        alternatives.append(Alternative(
            rank, f, f.curve.probability[target_index], esc,
            monitoring_checks(checks_from, esc, rules.monitoring, float(target_month),
                              drug_change=bool(f.protocol.regimen) or f.protocol.change
                              is not None),
            se[rank - 1], tied[rank - 1]))
    return Plan(pathway, code, float(target_month), result.t0, tuple(alternatives),
                tuple(excluded_list), rules.monitoring, result, None, steps, checks_from,
                _art(case, pathway, float(target_month), pregnancy, note, art_table))
