"""``androcast db|patient|observe|fhir`` in-process with CliRunner on a SQLite file."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from androcast.cli import app

EXAMPLES = Path(__file__).parents[2] / "examples"
runner = CliRunner()


def _run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_upgrade_add_observe_list_export_import(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'records.db'}"
    code, out, _ = _run("db", "upgrade", "--db", db)
    assert (code, out.split()[-1]) == (0, "0009")
    assert _run("clinic", "add", "default", "--db", db)[0] == 0
    assert _run("user", "add", "dr.a", "--db", db)[0] == 0
    case = str(EXAMPLES / "cases" / "post_trt.yaml")
    code, out, err = _run(
        "patient",
        "add",
        case,
        "--db",
        db,
        "--user",
        "dr.a",
        "--as-of",
        "2025-11-01",
        "--format",
        "json",
    )
    assert code == 0, err
    added = json.loads(out)
    assert (added["patients_created"], added["created"]) == (["P001"], 9)
    assert added["pattern"] == "exogenous_suppression"
    code, out, err = _run(
        "observe",
        "P001",
        "lh",
        "1.4",
        "IU/L",
        "--date",
        "2025-11-01",
        "--db",
        db,
        "--format",
        "json",
    )
    assert code == 0, err
    assert json.loads(out)["created"] == 1
    csv = tmp_path / "labs.csv"
    csv.write_text("date,analyte,value,unit\n2025-10-30,fsh,2.1,IU/L\n", encoding="utf-8")
    code, out, err = _run("observe", "P001", "--csv", str(csv), "--db", db, "--format", "json")
    assert code == 0, err
    code, out, _ = _run("patient", "list", "--db", db, "--format", "json")
    (patient,) = json.loads(out)
    assert (patient["identifier"], patient["lab_results"]) == ("P001", 9)
    bundle = tmp_path / "p001.json"
    code, _, err = _run("fhir", "export", "P001", "--db", db, "--out", str(bundle))
    assert code == 0, err
    code, out, err = _run("fhir", "import", str(bundle), "--db", db, "--format", "json")
    assert code == 0, err
    reimported = json.loads(out)
    assert (reimported["created"], reimported["updated"], reimported["unchanged"]) == (0, 0, 11)


def test_fhir_import_of_the_example_bundle(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'records.db'}"
    _run("db", "upgrade", "--db", db)
    bundle = str(EXAMPLES / "fhir" / "post_trt_bundle.json")
    code, out, err = _run("fhir", "import", bundle, "--db", db)
    assert code == 0, err
    assert "patients created: P001; records created 9" in out


def test_errors_are_one_line_and_exit_2(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'records.db'}"
    code, _, err = _run("patient", "list", "--db", db)
    assert code == 2
    assert err.strip().splitlines() == [
        f"error: database: '{db} at revision None' cannot be used; expected the schema at "
        "revision 0009 (run: androcast db upgrade)"
    ]
    _run("db", "upgrade", "--db", db)
    _run("patient", "add", str(EXAMPLES / "cases" / "post_trt.yaml"), "--db", db)
    code, _, err = _run("observe", "P001", "lh", "1.2", "ng/dL", "--db", db)
    assert code == 2
    assert err.strip() == (
        "error: unit: 'ng/dL' is not a usable unit; expected a unit for lh: one of [IU]/L, "
        "m[IU]/mL, m[IU]/L"
    )
    code, _, err = _run("fhir", "export", "P404", "--db", db)
    assert code == 2
    assert err.strip() == (
        "error: patient: 'P404' is not a known code; expected a patient of clinic default: P001"
    )


def test_fhir_import_assesses_holding_no_write_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``fhir import`` keeps the records in one short write and assesses each man after it
    (issue 20): while it computes an assessment, another writer of the same SQLite file,
    whose lock is one for the whole database, goes through at once."""
    from androcast.store import engine, open_store, update_patient
    from androcast.workflows import short_writes

    db = f"sqlite:///{tmp_path / 'records.db'}"
    _run("db", "upgrade", "--db", db)
    assert _run("patient", "add", str(EXAMPLES / "cases" / "hyperprolactinaemia.yaml"),
                "--db", db)[0] == 0
    monkeypatch.setattr(engine, "BUSY_TIMEOUT_S", 2.0)  # a writer held up fails, not waits
    waits: list[float] = []
    real = short_writes.assess_chart

    def assess_and_write_meanwhile(chart: Any, as_of: Any) -> Any:
        other = open_store(db)
        try:
            began = time.perf_counter()
            with other.transaction("another clinician") as session:
                update_patient(session, "PRL-034", bmi=27.0)
            waits.append(time.perf_counter() - began)
        finally:
            other.close()
        return real(chart, as_of)

    monkeypatch.setattr(short_writes, "assess_chart", assess_and_write_meanwhile)
    bundle = str(EXAMPLES / "fhir" / "post_trt_bundle.json")
    code, out, err = _run("fhir", "import", bundle, "--db", db, "--format", "json")
    assert code == 0, err
    assert json.loads(out)["patients_created"] == ["P001"]
    assert len(waits) == 1 and waits[0] < 1.0, waits
