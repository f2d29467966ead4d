"""export_sbml(): one man's HPG model with a regimen's doses, as an SBML Level 3 document.

The equations are traced from the model's own ``rhs`` (:mod:`._trace`); this module only
gathers what ``simulate`` would use for the same man and regimen (personalised parameters,
the androgen history before time 0, the compiled schedule, the drug species, the drug-free
steady state) and hands it to :func:`build_document`.
"""

from __future__ import annotations

import dataclasses
import importlib
import importlib.util
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from androcast.drugs import get_drug
from androcast.errors import InputFileError, SimulationError
from androcast.io.sbml._document import (
    Jump,
    ModelEvent,
    Observable,
    Quantity,
    Switch,
    build_document,
    infusion_switches,
)
from androcast.io.sbml._trace import (
    COMPARTMENTS,
    SPECIES_CONSTANTS,
    Traced,
    species_constant_id,
    state_ids,
    trace,
)
from androcast.model import Inputs, Parameters, Species, build_species, parameter_table
from androcast.model.pharmacology import dose_targets, is_gnrh, route_ka
from androcast.model.steady_state import steady_state
from androcast.regimens import Dose, DoseSchedule, Regimen, compile_regimen

# The same personalisation, history and gonadorelin handling as simulate() uses.
from androcast.simulate import (
    OBSERVABLE_UNITS,
    PatientLike,
    gonadorelin_ug,
    history_of,
    parameters_of,
    pump_runs,
)

#: Units of the model's observables as ``rhs`` returns them (free T is nmol/L there;
#: a Trajectory reports it in pmol/L).
_OBSERVABLE_UNITS = {**OBSERVABLE_UNITS, "testosterone_free": "nmol/L", "hcg": "IU/L"}
_PUMP_PULSE, _PUMP_FREQUENCY = "pump_pulse_ug", "pump_frequency_per_d"
_NEXT_PULSE = "next_pulse_d"
_CATALOGUE_KEY = {"ka": "ka_per_d", "ka_slow": "ka_slow_per_d", "ke": "ke_per_d",
                  "k12": "k12_per_d", "k21": "k21_per_d", "v_l": "v_l", "hill": "hill"}


@dataclass(frozen=True)
class SbmlExport:
    """An exported SBML document and what it holds (for a summary or a check)."""

    text: str
    mode: str
    t_start_d: float  # SBML time 0, in days from cessation of androgens
    t_end_d: float
    states: tuple[str, ...]
    observables: tuple[str, ...]
    n_doses: int

    def write(self, path: str | Path) -> None:
        """Write the SBML text to ``path`` (UTF-8)."""
        try:
            Path(path).write_text(self.text, encoding="utf-8")
        except OSError as err:
            raise InputFileError("out", str(path), "a writable file path",
                                 hint=str(err)) from None


def export_sbml(
    patient_or_case: PatientLike,
    regimen: Regimen | None = None,
    *,
    days: float | None = None,
    mode: str = "averaged",
    model_id: str = "androcast_hpg",
) -> SbmlExport:
    """SBML L3 document of one man's HPG model with his history and ``regimen`` as events.

    ``patient_or_case`` is taken as :func:`androcast.simulate.simulate` takes it (a Case
    adds its androgen history before time 0 and personalises the parameters). SBML time 0
    is the first dose of the history (or day 0); the document runs to ``days`` (default:
    the end of the last regimen entry). Initial states are the man's drug-free steady
    state. ``mode="pulsatile"`` adds the GnRH pulse generator as an event (deterministic
    intervals, as ``simulate`` without a seed).
    """
    for module in ("libsbml", "sympy"):
        if importlib.util.find_spec(module) is None:
            raise SimulationError("sbml", module, "python-libsbml and sympy installed",
                                  hint="pip install 'androcast[sbml]'")
    if mode not in ("averaged", "pulsatile"):
        raise SimulationError("mode", mode, "averaged or pulsatile")
    p = parameters_of(patient_or_case)
    full = history_of(patient_or_case)
    if regimen is not None:
        full = full.combine(regimen)
    t0 = min([0.0, *(e.start_d for e in full.entries)])
    t_end = days if days is not None else max([t0, *(e.stop_d for e in full.entries)])
    if not t_end > t0:
        raise SimulationError("days", days, f"an end time after the start ({t0:g} d)")
    schedule = (compile_regimen(full, t_start_d=t0, t_end_d=t_end)
                if full.entries else DoseSchedule((), ()))
    pulsatile = mode == "pulsatile"

    ka = {d.drug: k for d in schedule.doses if (k := route_ka(d.drug, d.route)) is not None}
    species = build_species({d.drug for d in schedule.doses}
                            | {i.drug for i in schedule.infusions}, p, ka)
    inputs, switches = _inputs(schedule, species, p, pulsatile)
    traced = trace(species, inputs)

    y0 = [*steady_state(p), *([0.0] * (len(COMPARTMENTS) * len(species)))]
    states = [Quantity(name, float(v), notes="drug-free steady state (androcast.model)")
              for name, v in zip(state_ids(species), y0, strict=True)]
    parameters = [*_model_parameters(p, traced), *_species_parameters(species, schedule, traced),
                  *(Quantity(name, 0.0, notes="input switched by events")
                    for name in sorted({s.parameter for s in switches}))]
    events: list[ModelEvent] = []
    if pulsatile:
        sympy = importlib.import_module("sympy")
        parameters.append(Quantity(_NEXT_PULSE, 0.0, "d", "time of the next GnRH pulse"))
        events.append(ModelEvent(
            "gnrh_pulse", f"time >= {_NEXT_PULSE}",
            {"G": sympy.Symbol("G") + sympy.Symbol("pulse_mass"),
             _NEXT_PULSE: sympy.Symbol("time") + sympy.Symbol("pulse_interval")}))
    observables = [Observable(name, expr, _OBSERVABLE_UNITS.get(name, ""),
                              "traced from androcast.model.rhs(observe=True)")
                   for name, expr in traced.observables.items()]

    def jump(dose: Dose) -> Sequence[Jump]:
        if is_gnrh(dose.drug):  # pulses kick portal GnRH; the averaged mode sees the pump
            return [Jump("G", float(p.gamma_GnRH) * gonadorelin_ug(dose))] if pulsatile else []
        return [Jump(f"{t.species}_{COMPARTMENTS[t.compartment]}", dose.amount * t.fraction)
                for t in dose_targets(dose.drug, dose.route)]

    text = build_document(
        model_id=model_id, states=states, parameters=parameters, rates=traced.rates,
        schedule=schedule, jump=jump, switches=switches, observables=observables,
        events=events, t_start_d=t0,
        notes=(f"androcast HPG-axis model, {mode} mode, traced from androcast.model.rhs. "
               f"Time in days; SBML time 0 is day {t0:g} relative to cessation of androgens "
               f"(Handelsman 2005 convention). Decision support for professionals."),
    )
    return SbmlExport(text=text, mode=mode, t_start_d=t0, t_end_d=float(t_end),
                      states=tuple(s.name for s in states),
                      observables=tuple(o.name for o in observables),
                      n_doses=len(schedule.doses))


def _infusion_id(drug: str, route: str) -> str:
    return f"infusion_{drug}_{route}"


def _inputs(schedule: DoseSchedule, species: Sequence[Species], p: Parameters,
            pulsatile: bool) -> tuple[Inputs, tuple[Switch, ...]]:
    """Symbolic inputs of ``rhs`` and the switches that set them (0 where unused)."""
    sympy = importlib.import_module("sympy")
    index = {sp.code: j for j, sp in enumerate(species)}
    per_species: list[Any] = [0.0] * len(species)
    gnrh_rate: Any = 0.0
    routes = sorted({(i.drug, i.route, i.unit) for i in schedule.infusions})
    for drug, route, unit in routes:
        rate = sympy.Symbol(_infusion_id(drug, route))
        if is_gnrh(drug):
            gnrh_rate = gnrh_rate + gonadorelin_ug(Dose(0.0, drug, route, 1.0, unit)) * rate
            continue
        for target in dose_targets(drug, route):
            per_species[index[target.species]] += target.fraction * rate
    switches = list(infusion_switches(schedule.infusions, lambda i: _infusion_id(i.drug, i.route)))
    pump: tuple[Any, Any] = (0.0, 0.0)
    runs = () if pulsatile else pump_runs(schedule.doses, float(p.tau0))
    if runs:
        pump = (sympy.Symbol(_PUMP_PULSE), sympy.Symbol(_PUMP_FREQUENCY))
        for edge in sorted({t for r in runs for t in (r.start_d, r.stop_d)}):
            # as in simulate, the last run covering the edge sets the pump
            on = [r for r in runs if r.start_d <= edge < r.stop_d]
            ug, f = (on[-1].pulse_ug, on[-1].frequency_per_d) if on else (0.0, 0.0)
            switches += [Switch(_PUMP_PULSE, edge, ug), Switch(_PUMP_FREQUENCY, edge, f)]
    inputs = Inputs(pulsatile=1.0 if pulsatile else 0.0, gnrh_infusion_ug_per_d=gnrh_rate,
                    pump_pulse_ug=pump[0], pump_frequency_per_d=pump[1],
                    infusion=tuple(per_species))
    return inputs, tuple(switches)


def _model_parameters(p: Parameters, traced: Traced) -> list[Quantity]:
    table = parameter_table()
    out = []
    for field in dataclasses.fields(Parameters):
        if not traced.uses(field.name):
            continue
        info = table.get(field.name)
        value = float(getattr(p, field.name))
        if info is None:
            out.append(Quantity(field.name, value, notes="covariate modifier of this man "
                                "(androcast.model.personalise; reference man = neutral)"))
        else:
            out.append(Quantity(field.name, value, info.unit,
                                f"source {info.source} ({info.confidence}): {info.description}"))
    return out


def _species_parameters(species: Sequence[Species], schedule: DoseSchedule,
                        traced: Traced) -> list[Quantity]:
    routes = {d.drug: d.route for d in schedule.doses}
    routes.update({i.drug: i.route for i in schedule.infusions})
    out = []
    for sp in species:
        drug = get_drug(sp.code)
        for constant in SPECIES_CONSTANTS:
            name = species_constant_id(sp.code, constant)
            if not traced.uses(name):
                continue
            key = _CATALOGUE_KEY.get(constant)
            route = drug.routes.get(routes.get(sp.code, ""))
            if constant == "ka" and route is not None and route.ka_per_d is not None:
                source = f"route {route.route} ka_per_d: {route.ka_per_d.source}"
            elif key is not None and key in drug.pk:
                source = f"pk.{key}: {drug.pk[key].source}"
            else:
                source = "androcast.model.pharmacology; " + ", ".join(drug.sources)
            out.append(Quantity(name, float(getattr(sp, constant)),
                                notes=f"{constant} of {sp.code} ({source})"))
    return out
