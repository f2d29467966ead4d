"""``androcast patient plan``, ``observe`` on a plan and ``monitor``, in-process (CliRunner).

The patient is the scripted follow-up (``tests/monitoring/follow_up.yaml``) with only his
week-0 results stored; his week-6 panel arrives by ``observe --csv``. Sixteen virtual men:
the alerts asserted here are the rule checks that do not depend on the band.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from androcast.cli import app
from androcast.labs import analyte

FOLLOW_UP = Path(__file__).parents[1] / "monitoring" / "follow_up.yaml"
runner = CliRunner()
WEEK_6 = """date,analyte,value,unit,confirmed
2025-10-13,testosterone_total,1250,ng/dL,false
2025-10-13,lh,2.0,IU/L,false
2025-10-13,fsh,1.5,IU/L,false
2025-10-13,estradiol,130,pg/mL,true
"""


def _run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def db(tmp_path: Path) -> str:
    """A store holding the follow-up patient with his week-0 results only."""
    url = f"sqlite:///{tmp_path / 'monitor.db'}"
    data = yaml.safe_load(FOLLOW_UP.read_text(encoding="utf-8"))
    data["labs"] = [r for r in data["labs"] if str(r["date"]) == "2025-09-01"]
    data["semen"] = [s for s in data["semen"] if str(s["date"]) == "2025-09-01"]
    case = tmp_path / "baseline.yaml"
    case.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert _run("db", "upgrade", "--db", url)[0] == 0
    assert _run("clinic", "add", "default", "--db", url)[0] == 0
    for user in ("dr.a", "dr.b", "dr.c", "dr.d"):  # who --user names must exist
        assert _run("user", "add", user, "--db", url)[0] == 0
    code, _, err = _run("patient", "add", str(case), "--db", url, "--user", "dr.a",
                        "--as-of", "2025-09-01")
    assert code == 0, err
    return url


def _plan(db: str, *extra: str) -> tuple[int, str, str]:
    return _run("patient", "plan", "FU-001", "--protocol", "hcg_serm", "--start", "2025-09-01",
                "--n", "16", "--db", db, "--user", "dr.a", *extra)


def test_plan_observe_monitor(db: str, tmp_path: Path) -> None:
    code, out, err = _plan(db, "--format", "json")
    assert code == 0, err
    adopted = json.loads(out)
    assert (adopted["plan"]["protocol"], adopted["plan"]["start"]) == ("hcg_serm", "2025-09-01")
    assert adopted["alerts"] == []  # no result after the start yet
    assert adopted["forecast"]["n_virtual"] == 16
    assert len(adopted["forecast"]["dates"]) == 7 * 52 + 1  # daily for 52 weeks

    csv = tmp_path / "week6.csv"
    csv.write_text(WEEK_6, encoding="utf-8")
    code, out, err = _run("observe", "FU-001", "--csv", str(csv), "--db", db, "--user", "dr.b",
                          "--format", "json")
    assert code == 0, err
    observed = json.loads(out)
    assert "add_aromatase_inhibitor" in [a["code"] for a in observed["alerts"]]

    code, out, err = _run("monitor", "FU-001", "--db", db, "--format", "json")
    assert code == 0, err
    report = json.loads(out)
    assert list(report) == ["patient", "plan", "forecast", "observations", "alerts"]
    assert report["forecast"]["as_of"] == "2025-10-13"
    assert [a["code"] for a in report["alerts"]] == [a["code"] for a in observed["alerts"]]
    ai = next(a for a in report["alerts"] if a["code"] == "add_aromatase_inhibitor")
    assert (ai["rule"], ai["citation"], ai["observable"]) == (
        "ESC-AI", "raman2002; pavlovich2001; shoshany2017", "estradiol")
    week_6 = [o for o in report["observations"] if o["date"] == "2025-10-13"]
    assert {o["observable"] for o in week_6} == {"testosterone_total", "lh", "fsh", "estradiol"}

    code, out, err = _run("monitor", "FU-001", "--db", db)
    assert code == 0, err
    out = " ".join(out.split())  # the console wraps long lines
    assert "hCG 3000 IU every other day + clomiphene 25 mg daily since 2025-09-01" in out
    assert "add_aromatase_inhibitor [moderate] estradiol 477 pmol/L (rule ESC-AI;" in out


def test_observe_without_a_plan_prints_no_alerts(db: str) -> None:
    code, out, err = _run("observe", "FU-001", "lh", "2.0", "IU/L", "--date", "2025-10-13",
                          "--db", db, "--user", "dr.b", "--format", "json")
    assert code == 0, err
    assert "alerts" not in json.loads(out)


def test_plan_table_output(db: str) -> None:
    code, out, err = _plan(db)
    assert code == 0, err
    assert out.startswith("plan adopted for FU-001: hCG 3000 IU every other day")
    assert out.rstrip().endswith("no alerts")


def test_unknown_patient_is_one_line_and_exit_2(db: str) -> None:
    code, _, err = _run("monitor", "NOBODY", "--db", db)
    assert code == 2
    assert err.strip() == (
        "error: patient: 'NOBODY' is not a known code; expected a patient of clinic "
        "default: FU-001")


def test_unknown_protocol_is_one_line_and_exit_2(db: str) -> None:
    code, _, err = _run("patient", "plan", "FU-001", "--protocol", "hcg_only", "--db", db)
    assert code == 2
    assert err.strip().startswith(
        "error: --protocol: 'hcg_only' is not a known code; expected one of watchful_waiting,")


def test_monitor_without_a_plan_says_how_to_adopt_one(db: str) -> None:
    code, _, err = _run("monitor", "FU-001", "--db", db)
    assert code == 2
    assert err.strip() == (
        "error: plan: 'FU-001' cannot be used; expected a patient with an adopted plan "
        "(run: androcast patient plan FU-001 --protocol ID)")


def test_a_bad_start_date_is_refused(db: str) -> None:
    code, _, err = _run("patient", "plan", "FU-001", "--protocol", "hcg", "--start", "1.9.25",
                        "--db", db)
    assert code == 2
    assert err.strip() == (
        "error: --start: '1.9.25' is not a valid date here; expected an ISO date YYYY-MM-DD")


def _alerts_after_week_6(db: str, tmp_path: Path) -> list[dict[str, object]]:
    assert _plan(db)[0] == 0
    csv = tmp_path / "week6.csv"
    csv.write_text(WEEK_6, encoding="utf-8")
    assert _run("observe", "FU-001", "--csv", str(csv), "--db", db, "--user", "dr.b")[0] == 0
    code, out, err = _run("monitor", "FU-001", "--db", db, "--format", "json")
    assert code == 0, err
    alerts: list[dict[str, object]] = json.loads(out)["alerts"]
    assert alerts and all(a["acknowledged_by"] is None for a in alerts)
    return alerts


def test_alert_ack_records_who_and_when_once(db: str, tmp_path: Path) -> None:
    first = _alerts_after_week_6(db, tmp_path)[0]
    code, out, err = _run("alert", "ack", "FU-001", str(first["id"]), "--db", db,
                          "--user", "dr.c", "--format", "json")
    assert code == 0, err
    acked = json.loads(out)
    assert (acked["id"], acked["code"], acked["acknowledged_by"]) == (
        first["id"], first["code"], "dr.c")
    assert acked["acknowledged_at"] is not None
    # a second acknowledgement keeps the first one's who and when
    code, out, _ = _run("alert", "ack", "FU-001", str(first["id"]), "--db", db, "--user", "dr.d")
    assert code == 0
    assert f"acknowledged by dr.c at {acked['acknowledged_at']}" in " ".join(out.split())
    code, out, _ = _run("monitor", "FU-001", "--db", db, "--format", "json")
    shown = {a["id"]: a["acknowledged_by"] for a in json.loads(out)["alerts"]}
    assert shown[first["id"]] == "dr.c"


def test_alert_ack_of_an_unknown_alert_or_another_patient_is_refused(
    db: str, tmp_path: Path
) -> None:
    first = _alerts_after_week_6(db, tmp_path)[0]
    code, _, err = _run("alert", "ack", "FU-001", "999999", "--db", db, "--user", "dr.c")
    assert code == 2
    assert err.strip() == ("error: alert: 999999 is not a known code; expected an alert of a "
                           "patient of clinic default")
    other = Path(__file__).parents[2] / "src" / "androcast" / "examples" / "cases" / "post_trt.yaml"
    assert _run("patient", "add", str(other), "--db", db, "--user", "dr.a")[0] == 0
    code, _, err = _run("alert", "ack", "P001", str(first["id"]), "--db", db, "--user", "dr.c")
    assert code == 2
    assert err.strip() == (f"error: alert: {first['id']} is not a known code; expected an "
                           "alert of patient P001")
    code, out, _ = _run("monitor", "FU-001", "--db", db, "--format", "json")
    assert all(a["acknowledged_by"] is None for a in json.loads(out)["alerts"])


def test_a_plan_start_before_his_first_result_is_refused(db: str) -> None:
    code, _, err = _run("patient", "plan", "FU-001", "--protocol", "hcg_serm", "--start",
                        "2020-01-01", "--n", "4", "--db", db)
    assert code == 2
    assert err.strip().startswith(
        "error: --start: '2020-01-01' is not a valid date here; expected a date from his "
        "first result 2025-09-01 to ")


def test_fhir_import_of_a_new_result_judges_it_on_his_plan(db: str, tmp_path: Path) -> None:
    assert _plan(db)[0] == 0
    out = tmp_path / "fu.json"
    assert _run("fhir", "export", "FU-001", "--db", db, "--out", str(out))[0] == 0
    bundle = json.loads(out.read_text(encoding="utf-8"))
    e2_codes = set(analyte("estradiol").loinc.values())  # its mass and molar LOINC codes
    e2 = next(e for e in bundle["entry"]
              if {c.get("code") for c in e["resource"].get("code", {}).get("coding", [])}
              & e2_codes)
    new = json.loads(json.dumps(e2))  # his week-6 estradiol, a new result of the laboratory
    uuid = "urn:uuid:00000000-0000-4000-8000-0000000000e6"
    new["fullUrl"] = uuid
    new["resource"]["identifier"] = [{"system": "urn:ietf:rfc:3986", "value": uuid}]
    new["request"].pop("ifNoneExist", None)
    new["resource"]["effectiveDateTime"] = "2025-10-13"
    new["resource"]["valueQuantity"] = {"value": 75, "unit": "pg/mL",
                                        "system": "http://unitsofmeasure.org", "code": "pg/mL"}
    new["resource"].pop("referenceRange", None)
    bundle["entry"].append(new)
    out.write_text(json.dumps(bundle), encoding="utf-8")
    code, stdout, err = _run("fhir", "import", str(out), "--db", db, "--user", "dr.b",
                             "--format", "json")
    assert code == 0, err
    imported = json.loads(stdout)
    assert imported["created"] == 1
    # ESC-AI: estradiol above its reference range (a rule check, whatever the band)
    assert "add_aromatase_inhibitor" in [a["code"] for a in imported["alerts"]["FU-001"]]


def test_observe_a_semen_analysis_with_sperm_offers_cryopreservation(db: str) -> None:
    assert _plan(db)[0] == 0
    code, out, err = _run("observe", "FU-001", "--semen",
                          "volume_ml=2.5, concentration_m_per_ml=3.0", "--date", "2026-02-16",
                          "--db", db, "--user", "dr.b", "--format", "json")
    assert code == 0, err
    observed = json.loads(out)
    assert observed["created"] == 1
    cryo = [a for a in observed["alerts"] if a["code"] == "offer_cryopreservation"]
    assert [(a["rule"], a["date"]) for a in cryo] == [("CRYO", "2026-02-16")]


@pytest.mark.parametrize(("semen", "message"), [
    ("concentration_m_per_ml", "error: --semen: 'concentration_m_per_ml' is invalid; "
     "expected KEY=VALUE, e.g. concentration_m_per_ml=12"),
    ("colour=grey", "error: --semen.colour: 'grey' cannot be read; expected one of date, "
     "volume_ml, concentration_m_per_ml, progressive_motility_pct, total_motility_pct, "
     "normal_forms_pct, abstinence_days, pellet_sperm_seen, ph, post_ejaculate_urine"),
    ("concentration_m_per_ml=abc", "error: --semen.concentration_m_per_ml: 'abc' is impossible; "
     "expected a number or a censored value such as '<0.2' or '>1500'"),
])
def test_a_malformed_semen_analysis_is_one_line_and_exit_2(db: str, semen: str,
                                                          message: str) -> None:
    code, out, err = _run("observe", "FU-001", "--semen", semen, "--date", "2025-10-13",
                          "--db", db)
    assert (code, out) == (2, "")
    assert err.strip() == message


def test_stop_plan_ends_its_drugs_and_is_refused_with_a_bad_date(db: str) -> None:
    """``patient stop-plan``: a bad date or an empty reason is one line naming the option,
    exit 2, nothing changed; a good one keeps the plan as stopped, its drugs ending that
    day, after which there is no plan to monitor."""
    assert _plan(db)[0] == 0
    code, _, err = _run("patient", "stop-plan", "FU-001", "--date", "2025-08-01", "--reason",
                        "side effects", "--db", db, "--user", "dr.b")
    assert code == 2 and "--date" in err and "2025-09-01" in err
    code, _, err = _run("patient", "stop-plan", "FU-001", "--reason", " ", "--db", db,
                        "--user", "dr.b")
    assert code == 2 and "--reason" in err
    assert _run("monitor", "FU-001", "--db", db)[0] == 0  # still on his plan

    code, out, err = _run("patient", "stop-plan", "FU-001", "--date", "2025-10-01", "--reason",
                          "pregnancy achieved", "--db", db, "--user", "dr.b", "--format",
                          "json")
    assert code == 0, err
    stopped = json.loads(out)
    assert stopped["plan"]["status"] == "stopped"
    assert stopped["plan"]["stopped"] == {"date": "2025-10-01", "reason": "pregnancy achieved"}
    assert sorted((c["drug"], c["start"], c["stop"]) for c in stopped["courses"]) == [
        ("clomiphene_citrate", "2025-09-01", "2025-10-01"), ("hcg", "2025-09-01", "2025-10-01")]
    code, _, err = _run("monitor", "FU-001", "--db", db)
    assert code != 0 and "plan" in err
    code, _, err = _run("patient", "stop-plan", "FU-001", "--reason", "again", "--db", db,
                        "--user", "dr.b")
    assert code != 0 and "plan" in err
