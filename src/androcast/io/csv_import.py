"""CSV of laboratory results (columns date, analyte or loinc, value, unit) -> LabResults.

Rows are checked by the case-file rules (``androcast.labs.parse_case``); an error names the
file, the row as a spreadsheet shows it (the header is row 1) and the column, e.g.
``labs.csv[row 4].unit``. Optional columns: ``confirmed`` (true/false) and ``reference_low``,
``reference_high``, ``reference_unit`` for the laboratory's own interval.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

from androcast.errors import AndrocastError, InputFileError
from androcast.labs import LabResult, analyte_for_loinc, parse_case

REQUIRED = ("date", "value", "unit")
OPTIONAL = ("analyte", "loinc", "confirmed", "reference_low", "reference_high", "reference_unit")
_ROW_FIELD = re.compile(r"^labs\[(\d+)\](.*)$")


def _number(text: str, field: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise InputFileError(field, text, "a number") from None


def _row_item(row: dict[str, str], where: str) -> dict[str, Any]:
    key = (row.get("analyte") or "").strip()
    loinc = (row.get("loinc") or "").strip()
    if not key and loinc:
        key = analyte_for_loinc(loinc).key if loinc else ""
    if not key:
        raise InputFileError(f"{where}.analyte", "", "an analyte key or a loinc code")
    item: dict[str, Any] = {
        "date": row["date"].strip(),
        "analyte": key,
        "value": row["value"].strip(),
        "unit": row["unit"].strip(),
    }
    confirmed = (row.get("confirmed") or "").strip().lower()
    if confirmed:
        item["confirmed"] = {"true": True, "false": False, "yes": True, "no": False}.get(
            confirmed, confirmed
        )
    low, high = (row.get("reference_low") or "").strip(), (row.get("reference_high") or "").strip()
    if low or high:
        item["reference"] = {
            "low": _number(low, f"{where}.reference_low") if low else None,
            "high": _number(high, f"{where}.reference_high") if high else None,
            "unit": (row.get("reference_unit") or row["unit"]).strip(),
            "source": "laboratory",
        }
    return item


def parse_lab_csv(
    text: str,
    *,
    patient_id: str,
    as_of: dt.date,
    age_years: float | None = None,
    source: str = "labs.csv",
) -> tuple[LabResult, ...]:
    """The results of a lab CSV for one patient (``age_years`` picks age-banded intervals)."""
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip() for name in reader.fieldnames or []]
    reader.fieldnames = header
    for name in REQUIRED:
        if name not in header:
            raise InputFileError(
                f"{source}[row 1]", ",".join(header), f"a header with {', '.join(REQUIRED)}"
            )
    if "analyte" not in header and "loinc" not in header:
        raise InputFileError(f"{source}[row 1]", ",".join(header), "an analyte or loinc column")
    items = []
    rows = []
    for row in reader:
        where = f"{source}[row {reader.line_num}]"
        if None in row or any(row.get(name) is None for name in REQUIRED):
            raise InputFileError(where, reader.line_num, f"{len(header)} columns as in the header")
        try:
            items.append(_row_item(row, where))
        except AndrocastError as err:
            if err.field.startswith(source):
                raise
            raise type(err)(f"{where}.loinc", err.value, err.expected, err.hint) from None
        rows.append(reader.line_num)
    case = {"patient": {"id": patient_id, "age_years": age_years}, "labs": items}
    try:
        return parse_case(case, source=source, as_of=as_of).labs
    except AndrocastError as err:
        match = _ROW_FIELD.match(err.field)
        if match is None:
            raise
        column = match.group(2).replace(".reference.", ".reference_")
        field = f"{source}[row {rows[int(match.group(1))]}]{column}"
        raise type(err)(field, err.value, err.expected, err.hint) from None


def read_lab_csv(
    path: str | Path, *, patient_id: str, as_of: dt.date, age_years: float | None = None
) -> tuple[LabResult, ...]:
    """Read and check a lab CSV file (see ``parse_lab_csv``)."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        raise InputFileError(
            str(path), file.name, "a readable UTF-8 CSV file", hint=str(err)
        ) from None
    return parse_lab_csv(
        text, patient_id=patient_id, as_of=as_of, age_years=age_years, source=file.name
    )
