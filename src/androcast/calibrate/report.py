"""The calibration report: one figure per target (simulated vs published) and a table.

Self-contained HTML: figures are PNGs embedded as data URIs, no external assets.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Mapping, Sequence
from typing import Any

from androcast.calibrate.evaluate import TargetResult
from androcast.calibrate.paired import DIRECTION_Z
from androcast.evidence import citation


def _pyplot() -> Any:
    """matplotlib.pyplot on the Agg backend, imported at the first figure (~0.5 s): the
    rest of androcast.calibrate, the fit included, draws nothing."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _png(fig: Any) -> str:
    plt = _pyplot()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def figure(result: TargetResult) -> str:
    """A PNG data URI comparing the simulation with the published number and interval."""
    t = result.target
    fig, ax = _pyplot().subplots(figsize=(5.2, 3.2))
    if t.kind == "odds_ratio":
        sim = result.simulated or 1.0
        ax.errorbar([sim], ["simulated"], xerr=[[sim - max(sim - 2 * result.mc_se, 1e-3)],
                                                 [2 * result.mc_se]],
                    fmt="o", color="#4a7ab5", capsize=4)
        ax.errorbar([t.value], ["published"], xerr=[[t.value - t.low], [t.high - t.value]],
                    fmt="s", color="black", capsize=6)
        ax.axvline(1.0, color="#999", lw=0.8)
        ax.set_xscale("log")
        ax.set_xlabel(f"odds ratio of {t.outcome} by month {t.month:g}")
    elif t.kind == "change":
        ax.bar(["simulated"], [result.simulated or 0.0], color="#4a7ab5",
               yerr=[2 * result.mc_se], capsize=4)
        ax.errorbar(["published"], [t.value], yerr=[[t.value - t.low], [t.high - t.value]],
                    fmt="o", color="black", capsize=6)
        ax.set_ylabel(f"change of {t.observable} at month {t.month:g}")
    else:
        for curve in result.curves:
            ax.step(curve.months, curve.probability, where="post",
                    label=f"simulated ({curve.label})" if t.kind == "direction" else "simulated")
        if t.kind == "probability":
            assert t.month is not None
            ax.errorbar([t.month], [t.value], yerr=[[t.value - t.low], [t.high - t.value]],
                        fmt="o", color="black", capsize=6, label="published (interval)")
        elif t.kind in ("median", "mean_recovered"):
            ax.errorbar([t.value], [0.5], xerr=[[t.value - t.low], [t.high - t.value]],
                        fmt="s", color="black", capsize=6,
                        label=f"published {t.kind.replace('_', ' ')} (interval)")
        ax.set_xlabel("months from time 0")
        ax.set_ylabel(f"P({t.outcome})")
        ax.set_ylim(-0.02, 1.02)
        ax.legend(fontsize=7, loc="lower right")
    ax.set_title(t.key, fontsize=9)
    return _png(fig)


def _fmt(x: float | None) -> str:
    return "not reached" if x is None else f"{x:.3g}"


def _simulated(r: TargetResult) -> str:
    """The simulated cell: value +- 2 SE; a direction's paired effect, its SE and z."""
    if r.target.kind != "direction":
        return f"{_fmt(r.simulated)} &plusmn; {2 * r.mc_se:.2g}"
    z = "" if r.z is None else f", z {r.z:.1f}"
    return f"{_fmt(r.simulated)} (paired SE {r.mc_se:.2g}{z})"


#: The headline numbers of the seed documents (issue 16), each read from its target:
#: (label, target key, how the number is written).
HEADLINES: tuple[tuple[str, str, str], ...] = (
    ("Liu 2006: >= 20 M/mL by 6 months", "liu2006_p6", "percent"),
    ("Liu 2006: >= 20 M/mL by 12 months", "liu2006_p12", "percent"),
    ("Liu 2006: >= 20 M/mL by 24 months", "liu2006_p24", "percent"),
    ("hCG-based therapy (Kohn 2017: TMSC > 5 M by 12 months)", "kohn2017_p12", "percent"),
    ("Combination therapy (Wenker 2015: sperm regained)", "wenker2015_regain", "percent"),
    ("SERM in idiopathic oligozoospermia (Chua 2013: concentration)", "chua2013_concentration",
     "change"),
    ("SERM in idiopathic oligozoospermia (Chua 2013: pregnancy odds ratio, clomiphene vs none)",
     "chua2013_pregnancy_or", "ratio"),
)


def _number(x: float | None, style: str) -> str:
    if x is None:
        return "not reached"
    if style == "ratio":
        return f"{x:.2f}"
    return f"{x:.0%}" if style == "percent" else f"{x:+.2f} M/mL"


def _headlines(results: Sequence[TargetResult], roles: Mapping[str, str]) -> str:
    by_key = {r.target.key: r for r in results}
    rows = []
    for label, key, style in HEADLINES:
        r = by_key.get(key)
        if r is None:
            continue
        t = r.target
        verdict = "pass" if r.passed else "FAIL"
        rows.append(
            f"<tr class='{verdict.lower()}'><td>{html.escape(label)}</td>"
            f"<td>{_number(t.value, style)} [{_number(t.low, style)}, "
            f"{_number(t.high, style)}]</td><td>{_number(r.simulated, style)}</td>"
            f"<td>{verdict}</td><td>{roles.get(key, 'validation')}</td>"
            f"<td>{html.escape(key)}</td></tr>")
    return ("<h2>Headline numbers of the seed documents</h2><table><tr><th>published "
            "figure</th><th>published [interval]</th><th>model</th><th>verdict</th>"
            "<th>role</th><th>target</th></tr>" + "".join(rows) + "</table>")


def _target_table(results: Sequence[TargetResult]) -> str:
    rows = []
    for r in results:
        t = r.target
        published = (f"&gt; {t.min_effect:g} and &gt; {DIRECTION_Z:g} SE (direction)"
                     if t.kind == "direction" else f"{t.value:.3g} [{t.low:.3g}, {t.high:.3g}]")
        verdict = "pass" if r.passed else "FAIL"
        rows.append(
            f"<tr class='{verdict.lower()}'><td>{html.escape(t.key)}</td>"
            f"<td>{html.escape(t.describe())}</td><td>{published}<br><small>"
            f"{html.escape(t.interval_basis)}</small></td><td>{_simulated(r)}</td>"
            f"<td>{verdict}</td><td>{html.escape(t.source)}</td></tr>")
    return ("<table><tr><th>target</th><th>what</th><th>published</th><th>simulated "
            "&plusmn; 2 SE (direction: paired effect, SE, z)</th><th>verdict</th>"
            "<th>source</th></tr>" + "".join(rows) + "</table>")


def verdicts(results: Sequence[TargetResult], roles: Mapping[str, str], *, n: int, seed: int,
             date: str) -> dict[str, Any]:
    """The report's verdicts as data (calibrate/data/verdicts.yaml): read by the prognosis
    to judge the published figures it shows beside a forecast."""
    return {"date": date, "n": n, "seed": seed, "targets": {
        r.target.key: {"role": roles.get(r.target.key, "validation"), "passed": bool(r.passed),
                       "simulated": None if r.simulated is None else round(float(r.simulated),
                                                                            4),
                       "mc_se": round(float(r.mc_se), 4),
                       **({} if r.z is None else {"z": round(r.z, 2)})} for r in results}}


def render(results: Sequence[TargetResult], *, population: Mapping[str, Any],
           record: Mapping[str, Any], roles: Mapping[str, str] | None = None) -> str:
    """The HTML page: fit targets and validation targets apart, the seeds' headlines."""
    roles = roles or {}
    fit = [r for r in results if roles.get(r.target.key) == "fit"]
    validation = [r for r in results if roles.get(r.target.key) != "fit"]
    figures = "".join(
        f"<figure><img alt='{html.escape(r.target.key)}' src='{figure(r)}'>"
        f"<figcaption>{html.escape(r.target.describe())}</figcaption></figure>"
        for r in results)
    cites = sorted({c for r in results for c in r.target.citations})
    refs = "".join(f"<li><b>{html.escape(c)}</b>: {html.escape(citation(c))}</li>"
                   for c in cites)
    n = results[0].n if results else 0
    record_rows = "".join(f"<tr><td>{html.escape(str(k))}</td><td>{html.escape(str(v))}</td>"
                          "</tr>" for k, v in record.items() if k != "passed")
    pop_rows = "".join(f"<tr><td>{html.escape(str(k))}</td><td>{html.escape(str(v))}</td></tr>"
                       for k, v in population.items())
    fit_passed = sum(r.passed for r in fit)
    validation_passed = sum(r.passed for r in validation)
    gaps = "".join(
        f"<li><b>{html.escape(r.target.key)}</b> ({'pass' if r.passed else 'FAIL'}): "
        f"{html.escape(r.target.gap)}</li>" for r in results if r.target.gap)
    gap_section = f"<h2>Known gaps</h2><ul>{gaps}</ul>" if gaps else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>androcast calibration report</title>
<style>
body {{font-family: sans-serif; max-width: 1100px; margin: 2em auto; color: #222}}
table {{border-collapse: collapse; font-size: 0.85em; margin-bottom: 1.5em}}
td, th {{border: 1px solid #bbb; padding: 3px 6px; vertical-align: top}}
tr.fail td {{background: #fbe3e3}} tr.pass td {{background: #e6f4e6}}
figure {{display: inline-block; margin: 0.5em; width: 480px}}
figcaption {{font-size: 0.8em}}
</style></head><body>
<h1>androcast calibration report</h1>
<p>Decision support for professionals: a model of a virtual population, not a prediction
for a patient. Simulated values come from {n} seeded virtual men per cohort; a target passes
when the simulation lies within the published interval widened by two Monte-Carlo standard
errors (direction targets: the difference of the two variants, the same men with one
covariate changed, exceeds both its stated minimum and {DIRECTION_Z:g} of its Monte-Carlo
standard errors computed from the men's paired differences; z is the effect over that SE).
Fit targets: {fit_passed} of {len(fit)} pass. Validation targets: {validation_passed} of
{len(validation)} pass.</p>
{_headlines(results, roles)}
<h2>Fit targets</h2>
<p>The stored calibration was fitted to these numbers (in the objective of the fit, a cohort
parameter fitted to them, or a covariate effect sized to show their direction): a pass shows
that the fit holds, not that the model predicts.</p>
{_target_table(fit)}
<h2>Validation targets</h2>
<p>No fit used these numbers: each verdict, whatever it is, tests the model.</p>
{_target_table(validation)}
{gap_section}
<h2>Fitted population</h2><table>{pop_rows}</table>
<h2>Fit record</h2><table>{record_rows}</table>
<h2>Figures</h2>{figures}
<h2>References</h2><ul>{refs}</ul>
</body></html>
"""
