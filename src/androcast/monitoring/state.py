"""A monitoring state as a JSON payload, so a later result updates the same virtual men.

The payload is the band (the shape the web app charts) plus ``state``: the plan, and the
posterior's particles (their numbers, covariates, log-factors, log-weights and
log-likelihoods, the last optional) with what they have already used. Restoring rebuilds
the cohort, the calibrated population and the plan's regimen (the posterior's treatment)
from his case, so only what the results taught is stored. Floats go through
JSON exactly (shortest repr); a weight of zero (log-weight -inf) is stored as null, since
PostgreSQL's JSON has no infinities.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np

from androcast.errors import DateError, ParameterError
from androcast.labs import Case
from androcast.monitoring.band import Band, plan_regimen
from androcast.monitoring.step import MonitoringState
from androcast.population import CohortSample
from androcast.population.engine import fitted_population
from androcast.prognosis import get_protocol
from androcast.regimens import time_zero
from androcast.twin import Posterior, case_time_zero, twin_cohort
from androcast.twin.prior import androgen_history

FORMAT = 1


def _floats(values: Any) -> list[float | None]:
    return [float(v) if math.isfinite(float(v)) else None for v in np.asarray(values)]


def _array(values: list[float | None]) -> np.ndarray[Any, np.dtype[np.float64]]:
    return np.array([-np.inf if v is None else float(v) for v in values], dtype=float)


def state_to_payload(state: MonitoringState) -> dict[str, Any]:
    """The band dict with the state to continue from under ``"state"``."""
    post = state.posterior
    sample = post.sample_
    return {
        **state.band.to_dict(),
        "state": {
            "format": FORMAT,
            "protocol": state.protocol.id,
            # the regimen as adopted for him (his current drugs continued at his dose)
            "regimen": [dict(e) for e in state.protocol.regimen],
            "name": state.protocol.name, "change": state.protocol.change,
            "start": state.start.isoformat(),
            "horizon_weeks": state.horizon_weeks,
            "held_out": [[name, day.isoformat()] for name, day in sorted(state.held_out)],
            "posterior": {
                "t0": post.t0.isoformat(), "seed": post.cohort.seed, "min_ess": post.min_ess,
                "ess": post.ess_, "fell_back": post.fell_back_, "warnings": list(post.warnings_),
                "n_observations": post.n_observations_, "resamples": post.resamples_,
                "used": [[name, day.isoformat()] for name, day in sorted(post.used_)],
                "log_weights": _floats(post.log_weights_),
                "log_likelihood": (None if post.log_likelihood_ is None
                                   else _floats(post.log_likelihood_)),
                "index": [int(i) for i in sample.index],
                "covariates": {k: _floats(v) for k, v in sample.covariates.items()},
                "categories": {k: list(v) for k, v in sample.categories.items()},
                "parameter_factors": {k: _floats(v) for k, v in
                                      sample.parameter_factors.items()},
            },
        },
    }


def _keys(items: list[list[str]]) -> frozenset[tuple[str, dt.date]]:
    return frozenset((str(name), dt.date.fromisoformat(day)) for name, day in items)


def state_from_payload(payload: Mapping[str, Any], case: Case) -> MonitoringState:
    """The state stored by ``state_to_payload``, for his case as it is now."""
    data = payload.get("state")
    if not isinstance(data, Mapping) or data.get("format") != FORMAT:
        raise ParameterError("forecast payload", sorted(payload),
                             f"a payload of state_to_payload (its 'state', format {FORMAT})")
    p = data["posterior"]
    t0 = dt.date.fromisoformat(p["t0"])
    # Day 0 is the end of his androgen exposure; without any, it was the date of his latest
    # result when the plan was adopted, which every later result would move: keep it.
    if time_zero(case) is not None and case_time_zero(case) != t0:
        raise DateError("androgen history", case_time_zero(case).isoformat(),
                        f"the end of androgen exposure the plan was adopted with ({t0}); "
                        "adopt the plan again")
    protocol = get_protocol(data["protocol"], field="protocol")
    if "regimen" in data:  # as adopted for him (older payloads: the protocol's own)
        protocol = replace(protocol, regimen=tuple(dict(e) for e in data["regimen"]),
                           name=str(data["name"]), change=data.get("change"))
    start = dt.date.fromisoformat(data["start"])
    sample = CohortSample(
        index=np.array(p["index"], dtype=np.int64),
        covariates={k: _array(v) for k, v in p["covariates"].items()},
        categories={k: tuple(v) for k, v in p["categories"].items()},
        androgen_option=None,
        androgen_doses=None,
        parameter_factors={k: _array(v) for k, v in p["parameter_factors"].items()},
    )
    treatment = plan_regimen(protocol, float((start - t0).days))
    log_lik = p.get("log_likelihood")
    posterior = Posterior(
        case=case, t0=t0,
        cohort=twin_cohort(case, seed=int(p["seed"]), population=fitted_population()),
        population=fitted_population(), sample_=sample,
        log_weights_=_array(p["log_weights"]), used_=_keys(p["used"]), ess_=float(p["ess"]),
        fell_back_=bool(p["fell_back"]), warnings_=tuple(p["warnings"]),
        n_observations_=int(p["n_observations"]), min_ess=float(p["min_ess"]),
        resamples_=int(p["resamples"]),
        history=androgen_history(case, treatment_start=start).combine(treatment),
        treatment=treatment, treatment_start=start,
        log_likelihood_=None if log_lik is None else _array(log_lik),
    )
    return MonitoringState(
        protocol=protocol, start=start, posterior=posterior, band=Band.from_dict(payload),
        held_out=_keys(data["held_out"]),
        horizon_weeks=int(data["horizon_weeks"]),
    )

