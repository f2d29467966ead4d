"""``androcast labs CASE``: the normalised panel, derived values and WHO semen classes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from androcast.cli import app
from androcast.cli._common import FORMAT_OPTION, OutputFormat, console, print_json, reporting_errors
from androcast.errors import DateError

if TYPE_CHECKING:
    from androcast.labs import LabReport


def _as_of(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise DateError("--as-of", text, "an ISO date YYYY-MM-DD") from None


def _number(value: float | None, censor: str | None = None) -> str:
    return "-" if value is None else f"{censor or ''}{value:.4g}"


def _render(report: LabReport) -> None:
    from androcast.units import display_unit

    patient = report.patient
    console.print(
        f"[bold]Patient {patient.id}[/]  age {_number(patient.age_years)}  "
        f"goal {report.goal}  as of {report.as_of.isoformat()}"
    )
    panel = Table(title="Laboratory results (canonical units)")
    for column in ("date", "analyte", "value", "unit", "reported", "reference", "flag", "source"):
        panel.add_column(column)
    for row in report.results:
        panel.add_row(
            row.date.isoformat(),
            row.analyte,
            row.display,
            display_unit(row.unit),
            f"{row.censor or ''}{row.reported_value:g} {row.reported_unit}",
            row.reference.describe(with_unit=False),
            row.flag + (" (confirmed)" if row.confirmed else ""),
            row.reference.source.split(" (")[0],
        )
    console.print(panel)
    if report.semen:
        semen = Table(title="Semen analyses")
        for column in (
            "date",
            "volume mL",
            "conc. M/mL",
            "PR %",
            "total mot. %",
            "normal %",
            "total M",
            "TMSC M",
        ):
            semen.add_column(column)
        for s in report.semen:
            semen.add_row(
                s.date.isoformat(),
                _number(s.volume_ml),
                _number(s.concentration_m_per_ml, s.concentration_censor),
                _number(s.progressive_motility_pct),
                _number(s.total_motility_pct),
                _number(s.normal_forms_pct),
                _number(s.total_count_m),
                _number(s.tmsc_m),
            )
        console.print(semen)
    derived = Table(title="Derived values")
    for column in ("quantity", "value", "unit", "method", "citation"):
        derived.add_column(column)
    d = report.derived
    for item in (
        d.free_testosterone_pmol_per_l,
        d.bioavailable_testosterone_nmol_per_l,
        d.t_e2_ratio,
        d.total_count_million,
        d.tmsc_million,
        d.homa_ir,
    ):
        if item is not None:
            derived.add_row(
                item.name,
                _number(item.value, item.censor),
                display_unit(item.unit),
                item.method,
                "; ".join(item.citation),
            )
    console.print(derived)
    for classification in (d.semen_who2010, d.semen_who2021):
        if classification is None:
            continue
        console.print(f"[bold]{classification.edition_name}[/]:")
        for semen_class in classification.classes:
            console.print(f"  {semen_class.code}: {'; '.join(semen_class.basis)}")
        if classification.missing:
            console.print(f"  not reported: {', '.join(classification.missing)}")
    console.print(report.disclaimer, style="italic")


CASE_ARGUMENT = typer.Argument(
    None, help="Case file (YAML or JSON); without one, the analyte catalogue is listed."
)
AS_OF_OPTION = typer.Option(None, "--as-of", help="Assessment date YYYY-MM-DD (default today).")


def _catalogue_rows() -> list[dict[str, object]]:
    """Every analyte: canonical unit, accepted units and the default interval with its source."""
    from androcast.labs import analyte, analyte_keys, default_reference

    rows: list[dict[str, object]] = []
    for key in analyte_keys():
        entry = analyte(key)
        interval = default_reference(key)
        rows.append(
            {
                "analyte": key,
                "name": entry.name,
                "loinc": {k: v for k, v in entry.loinc.items() if v},
                "canonical_unit": entry.canonical_unit,
                "accepted_units": list(entry.accepted_units),
                "plausible": list(entry.plausible),
                "reference": {
                    "low": interval.low,
                    "high": interval.high,
                    "unit": interval.unit,
                    "source": interval.source,
                    "population": interval.population,
                },
            }
        )
    return rows


def _render_catalogue(rows: list[dict[str, object]]) -> None:
    from androcast.labs import default_reference
    from androcast.units import display_unit

    table = Table(title="Analyte catalogue (default intervals; a laboratory's own overrides)")
    for column in ("analyte", "canonical unit", "accepted units", "default interval", "source"):
        table.add_column(column)
    for row in rows:
        key = str(row["analyte"])
        interval = default_reference(key)
        accepted = row["accepted_units"]
        assert isinstance(accepted, list)
        table.add_row(
            key,
            display_unit(str(row["canonical_unit"])),
            ", ".join(display_unit(str(u)) for u in accepted),
            interval.describe(with_unit=False),
            interval.source if interval.source != "none" else interval.population,
        )
    console.print(table)


@app.command("labs")
def labs(
    case: Path | None = CASE_ARGUMENT,
    output: OutputFormat = FORMAT_OPTION,
    as_of: str | None = AS_OF_OPTION,
) -> None:
    """Normalise a case's laboratory panel: canonical units, intervals, derived values.

    Without a case, list the analyte catalogue: each analyte's canonical unit, the units
    accepted, and the default reference interval with its source.
    """
    from androcast.labs import lab_report, load_case

    if case is None:
        rows = _catalogue_rows()
        if output is OutputFormat.json:
            print_json({"analytes": rows})
        else:
            _render_catalogue(rows)
        return
    with reporting_errors():
        report = lab_report(load_case(case, as_of=_as_of(as_of)))
    if output is OutputFormat.json:
        print_json(report)
    else:
        _render(report)
