"""Load on the web app (run on demand): simulated clinicians on patient and assessment pages.

Starts ``androcast serve`` on 127.0.0.1 over a fresh demo database (SQLite, or the empty
database ``--db`` names, e.g. a PostgreSQL schema), logs in one session per clinician, and
for ``--duration`` seconds each clinician opens a patient's page (record, assessment,
chart), the patient list, and the stored assessment from the API, with ``--think`` seconds
between requests. Prints p50, p95 and p99 latency and the error count per page as a table
(and one JSON line with ``--json``).

``--mix`` makes it the mixed workload of a clinic: of each clinician's actions 10 % are
writes (a new laboratory result by the API), 8 % reports (his prognosis and plan as a
background job, its status polled every second, then the report page) and 3 % prognoses (a
posted case's prognosis as a job, polled, then its result); the rest are the reads above.
Job status polls are API reads (starting a job is counted with the writes); the time from a
job's start to its result is reported as
"report job" and "prognosis job", outside the pages' percentiles, and a job that failed (say,
it waited out its time budget on a busy server) is counted under "job failures", apart from
the HTTP errors (any status >= 400 or no answer). A write to a man on a plan answers at once;
his monitoring step runs as a job the write starts (not waited for here).

The machine is shared, so each run measures its own baseline beside the pages: one more
client asks for its session (``GET /api/session``: no database, no computation) every 0.5 s,
and the table gives each page's p95 as a multiple of that baseline's; the load average
(``os.getloadavg``) is printed at the start and the end of the measurement, ``uptime`` at
the start and the end of the script.

    python bench/load.py [--clinicians 50] [--duration 60] [--think 1.0] [--port 8765]
                         [--mix] [--db URL] [--fresh-schema] [--both POSTGRES_URL]

``--both POSTGRES_URL``: the same workload on a fresh SQLite file, then in a fresh schema of
that PostgreSQL database, one after the other in one run; after each run's own table, one
table gives p95 and errors per class of endpoint (pages, API reads, writes) for both, their
ratio, and whether the target (p95 < 500 ms for pages and API reads, no errors) is met.
The issue's figure is ``python bench/load.py --mix --both postgresql://postgres@127.0.0.1/test``.

``--fresh-schema`` (with a PostgreSQL ``--db``): run in a new schema of that database,
dropped afterwards.

Traffic goes only to the server this script starts on the loopback interface, and stops
after ``--duration`` seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from androcast.cli.demo import prepare_demo
from androcast.store import list_patients, open_store
from androcast.store.users import add_user
from androcast.web import hash_password

HOST = "127.0.0.1"
PASSWORD = "bench-password-not-secret"


WRITE_SHARE, REPORT_SHARE, PROGNOSIS_SHARE = 0.10, 0.08, 0.03
BASELINE = "baseline (API)"
PAGES = ("patient page", "assessment (API)", "patient list", "write (API)", "job start (API)",
         "job status (API)", "report page", "job result (API)", BASELINE)
JOBS = ("report job", "prognosis job")
#: The classes of endpoint the targets name (issue 20: p95 < 500 ms for pages and API reads).
CLASSES = {
    "pages": ("patient page", "patient list", "report page"),
    "API reads": ("assessment (API)", "job status (API)", "job result (API)"),
    "writes (API)": ("write (API)", "job start (API)"),
}
TARGETED = ("pages", "API reads")
TARGET_P95_MS = 500.0
POSTED_CASE = {
    "case": {
        "patient": {"id": "BENCH", "age_years": 38},
        "history": {"androgens": [{"agent": "testosterone_cypionate", "dose": "200 mg",
                                   "every": "7 d", "start": "2024-03-01",
                                   "stop": "2025-09-01"}]},
        "labs": [{"date": "2025-10-15", "analyte": "lh", "value": 0.3, "unit": "IU/L"},
                 {"date": "2025-10-15", "analyte": "fsh", "value": 0.4, "unit": "IU/L"}],
    },
    "protocols": ["watchful_waiting", "hcg_serm"],
    "particles": 8,
}


def _prepare(url: str, clinicians: int) -> list[str]:
    prepare_demo(url, today=dt.date.today())
    store = open_store(url)
    try:
        hashed = hash_password(PASSWORD)
        with store.transaction("bench") as session:
            for i in range(clinicians):
                add_user(session, f"clinician{i:02d}", password_hash=hashed, clinic="demo")
        with store.reading() as session:
            return [p.identifier for p in list_patients(session, clinic="demo")]
    finally:
        store.close()


def _start_server(url: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    command = [str(Path(sys.executable).parent / "androcast"), "serve", "--host", HOST]
    command += ["--port", str(port), "--db", url, "--no-secure-cookies"]
    # No pipes (an unread pipe would stall the server once full): its log goes to a file.
    with log.open("wb") as handle:
        server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=handle)
    deadline = time.monotonic() + 180  # a loaded machine imports slowly
    while time.monotonic() < deadline and server.poll() is None:
        try:
            if (
                httpx.get(f"http://{HOST}:{port}/login", timeout=1, trust_env=False).status_code
                == 200
            ):
                return server
        except httpx.TransportError:
            time.sleep(0.2)
    server.kill()
    tail = log.read_text(encoding="utf-8", errors="replace").splitlines()[-20:]
    raise SystemExit("the server did not start:\n" + "\n".join(tail))


async def _log_in(client: httpx.AsyncClient, name: str) -> None:
    """Log in (argon2: seconds each on a busy machine) and keep the CSRF token it answers."""
    login = await client.post("/api/login", json={"username": name, "password": PASSWORD},
                              timeout=300)
    login.raise_for_status()
    client.headers["X-CSRF-Token"] = login.json()["csrf_token"]


class _Tally:
    """Latencies and errors by page, and the jobs' times."""

    def __init__(self) -> None:
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.job_failures: dict[str, int] = defaultdict(int)

    async def request(
        self, client: httpx.AsyncClient, page: str, method: str, path: str, **kwargs: Any
    ) -> httpx.Response | None:
        start = time.perf_counter()
        response = None
        failure = ""
        try:
            response = await client.request(method, path, **kwargs)
            ok = response.status_code < 400
        except httpx.HTTPError as err:  # named in the report: a timeout is not a reset
            ok = False
            failure = type(err).__name__
        self.latencies[page].append(time.perf_counter() - start)
        if not ok:
            self.errors[page] += 1
            what = f"no answer ({failure})" if response is None else (
                f"HTTP {response.status_code}")
            self.errors[f"{page}: {what}"] += 1
        return response if ok else None


async def _job(tally: _Tally, client: httpx.AsyncClient, kind: str, method: str, path: str,
               until: float, **kwargs: Any) -> dict[str, Any] | None:
    """Start a job, poll its status each second until it finishes; its time in ``kind``."""
    began = time.perf_counter()
    started = await tally.request(client, "job start (API)", method, path, **kwargs)
    if started is None:
        return None
    job: dict[str, Any] = started.json()
    while job["state"] not in ("done", "failed") and time.monotonic() < until + 120:
        await asyncio.sleep(1.0)
        polled = await tally.request(client, "job status (API)", "GET", job["status_url"])
        if polled is None:
            return None
        job = polled.json()
    if job["state"] != "done":
        tally.job_failures[f"{kind}: {job['state']} {job.get('error')}"] += 1
        return None
    tally.latencies[kind].append(time.perf_counter() - began)
    return job


async def _clinician(
    client: httpx.AsyncClient,
    patients: list[str],
    until: float,
    think_s: float,
    seed: int,
    tally: _Tally,
    mix: bool,
) -> None:
    rng = random.Random(seed)
    await asyncio.sleep(rng.uniform(0, think_s))  # clinicians do not start in step
    headers: dict[str, str] = {}  # the CSRF token is the client's (``_log_in``)
    while time.monotonic() < until:
        patient = rng.choice(patients)
        draw = rng.random() if mix else 1.0
        if draw < WRITE_SHARE:
            day = (dt.date.today() - dt.timedelta(days=rng.randint(0, 60))).isoformat()
            lab = {"date": day, "analyte": "lh", "value": round(rng.uniform(0.5, 9), 1),
                   "unit": "IU/L"}
            await tally.request(client, "write (API)", "POST",
                                f"/api/patients/{patient}/observations",
                                json={"labs": [lab]}, headers=headers)
        elif draw < WRITE_SHARE + REPORT_SHARE:
            job = await _job(tally, client, "report job", "POST",
                             f"/api/jobs/outlook/{patient}", until, headers=headers)
            if job is not None:
                await tally.request(client, "report page", "GET", f"/patients/{patient}/report")
        elif draw < WRITE_SHARE + REPORT_SHARE + PROGNOSIS_SHARE:
            job = await _job(tally, client, "prognosis job", "POST", "/api/jobs/prognosis",
                             until, json=POSTED_CASE, headers=headers)
            if job is not None:
                await tally.request(client, "job result (API)", "GET", job["result_url"])
        else:
            for page, path in (
                ("patient page", f"/patients/{patient}"),
                ("assessment (API)", f"/api/patients/{patient}/assessment"),
                ("patient list", "/patients"),
            ):
                if time.monotonic() >= until:
                    return
                await tally.request(client, page, "GET", path)
                await asyncio.sleep(think_s)
            continue
        await asyncio.sleep(think_s)


async def _baseline(client: httpx.AsyncClient, until: float, tally: _Tally) -> None:
    """The run's own yardstick: a request with no database and no computation, every 0.5 s."""
    while time.monotonic() < until:
        await tally.request(client, BASELINE, "GET", "/api/session")
        await asyncio.sleep(0.5)


def _percentile(values: list[float], q: int) -> float:
    return (
        statistics.quantiles(values, n=100, method="inclusive")[q - 1]
        if len(values) > 1
        else values[0]
    )


def _warm_up(port: int, patients: list[str]) -> None:
    """One visit to every page first: the measurement starts from a warm server."""
    with httpx.Client(base_url=f"http://{HOST}:{port}", timeout=60, trust_env=False) as client:
        login = client.post("/api/login", json={"username": "clinician00", "password": PASSWORD})
        login.raise_for_status()
        for patient in patients:
            for path in (f"/patients/{patient}", f"/api/patients/{patient}/assessment"):
                client.get(path).raise_for_status()
        client.get("/patients").raise_for_status()


async def _run(args: argparse.Namespace, patients: list[str]) -> tuple[_Tally, float]:
    tally = _Tally()
    base = f"http://{HOST}:{args.port}"
    clients = [
        httpx.AsyncClient(base_url=base, timeout=30, trust_env=False)
        for _ in range(args.clinicians + 1)
    ]
    try:
        # Everyone logs in first (argon2 verification is deliberately slow); then measure.
        await asyncio.gather(*(_log_in(c, f"clinician{i % args.clinicians:02d}")
                               for i, c in enumerate(clients)))
        started = time.monotonic()
        until = started + args.duration
        await asyncio.gather(
            _baseline(clients[-1], until, tally),
            *(
                _clinician(c, patients, until, args.think, i, tally, args.mix)
                for i, c in enumerate(clients[:-1])
            )
        )
        return tally, time.monotonic() - started
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))


def _exceptions(server_log: str) -> dict[str, int]:
    """Each traceback of the server's log by its exception and where it was raised (the
    innermost frame), counted."""
    found: dict[str, int] = defaultdict(int)
    for chunk in server_log.split("Traceback (most recent call last):")[1:]:
        lines = chunk.splitlines()
        last = next((i for i, line in enumerate(lines) if line and not line.startswith(" ")),
                    len(lines))
        frames = [line.strip() for line in lines[:last] if line.strip().startswith("File ")]
        where = f" at {frames[-1]}" if frames else ""
        found[(lines[last][:200] if last < len(lines) else "?") + where] += 1
    return dict(found)


@contextmanager
def _database(db: str | None, fresh_schema: bool, tmp: Path) -> Iterator[str]:
    """The run's database URL: ``db`` (a new schema in it with ``fresh_schema``), or a
    fresh SQLite file."""
    if not db:
        yield f"sqlite:///{tmp / f'load-{uuid.uuid4().hex[:6]}.db'}"
        return
    if not fresh_schema:
        yield db
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(db, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        url = make_url(db).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def _summary(tally: _Tally, elapsed: float) -> dict[str, Any]:
    """p50/p95/p99, max and errors per page and per class of endpoint, and requests/s."""
    latencies, errors = tally.latencies, tally.errors
    requests = {k: v for k, v in latencies.items() if k not in JOBS}
    everything = [v for values in requests.values() for v in values]
    rows: dict[str, list[float]] = {k: latencies[k] for k in (*PAGES, *JOBS) if latencies.get(k)}
    row_errors = {k: errors[k] for k in rows}
    for name, members in CLASSES.items():
        values = [v for page in members for v in latencies.get(page, [])]
        if values:
            rows[name] = values
            row_errors[name] = sum(errors[page] for page in members)
    rows["all requests"] = everything
    row_errors["all requests"] = sum(errors[p] for p in latencies)
    baseline_p95 = (_percentile(latencies[BASELINE], 95) if latencies.get(BASELINE)
                    else float("nan"))
    pages = {}
    for page, values in rows.items():
        p50, p95, p99 = (_percentile(values, q) * 1000 for q in (50, 95, 99))
        pages[page] = {
            "requests": len(values),
            "errors": row_errors[page],
            "p50_ms": round(p50, 1),
            "p95_ms": round(p95, 1),
            "p99_ms": round(p99, 1),
            "max_ms": round(max(values) * 1000, 1),
            "p95_over_baseline": round(p95 / (baseline_p95 * 1000), 2),
        }
    return {
        "requests_per_s": round(len(everything) / elapsed, 1),
        "pages": pages,
        "errors": {k: v for k, v in sorted(errors.items()) if ": " in k},
        "job_failures": dict(sorted(tally.job_failures.items())),
    }


def _measure(args: argparse.Namespace, url: str, tmp: Path) -> dict[str, Any]:
    """One run of the workload on the database at ``url``: its summary and the server's
    tracebacks."""
    patients = _prepare(url, args.clinicians)
    log = tmp / f"server-{uuid.uuid4().hex[:6]}.log"
    server = _start_server(url, args.port, log)
    try:
        _warm_up(args.port, patients)
        load_before, cpu_before = os.getloadavg(), _cpu_s(server.pid)
        tally, elapsed = asyncio.run(_run(args, patients))
        load_after, cpu_after = os.getloadavg(), _cpu_s(server.pid)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:  # a job still computing: no need to wait
            server.kill()
            server.wait(timeout=30)
        server_log = log.read_text(encoding="utf-8", errors="replace")
    return {
        "database": url.split(":", 1)[0].split("+", 1)[0],
        "load_average_start": load_before,
        "load_average_end": load_after,
        **_summary(tally, elapsed),
        "server_cpu_s": round(cpu_after - cpu_before, 1),
        "server_tracebacks": server_log.count("Traceback"),
        "exceptions": _exceptions(server_log),
    }


def _cpu_s(pid: int) -> float:
    """CPU seconds (user and system, all threads) a process has used (Linux ``/proc``; NaN
    elsewhere): what the server spent, whatever the machine's load."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _print_run(args: argparse.Namespace, run: dict[str, Any]) -> None:
    print(
        f"{args.clinicians} clinicians, {args.duration:g} s, think {args.think:g} s, "
        f"{'mixed' if args.mix else 'reads'}, {run['database']}, "
        f"{run['requests_per_s']} requests/s, server CPU {run['server_cpu_s']} s (its jobs "
        f"included); load average (1, 5, 15 min) "
        f"{' '.join(f'{x:.1f}' for x in run['load_average_start'])} at the start, "
        f"{' '.join(f'{x:.1f}' for x in run['load_average_end'])} at the end"
    )
    columns = ("requests", "errors", "p50 ms", "p95 ms", "p99 ms", "max ms", "p95/base")
    keys = ("requests", "errors", "p50_ms", "p95_ms", "p99_ms", "max_ms", "p95_over_baseline")
    print(f"{'page':<18} " + " ".join(f"{c:>8}" for c in columns))
    for page, row in run["pages"].items():
        cells = " ".join(f"{row[k]:>8}" for k in keys)
        print(f"{page:<18} {cells}")
    for kind, count in run["errors"].items():
        print(f"errors {kind}: {count}")
    for kind, count in run["job_failures"].items():
        print(f"job failures {kind}: {count}")
    print(f"server tracebacks: {run['server_tracebacks']}")
    for last, count in run["exceptions"].items():
        print(f"  {count} x {last}")


def _print_side_by_side(runs: list[dict[str, Any]]) -> None:
    """p95 and errors per class of endpoint for each database, and their ratio."""
    names = [r["database"] for r in runs]
    print("\np95 ms (errors) by class of endpoint, side by side; target p95 < "
          f"{TARGET_P95_MS:g} ms for pages and API reads, no errors")
    print(f"{'class':<18} " + " ".join(f"{n:>18}" for n in names)
          + (f" {'/'.join(reversed(names)):>18}" if len(runs) == 2 else ""))
    for name in (*CLASSES, BASELINE, "all requests"):
        rows = [r["pages"].get(name) for r in runs]
        cells = " ".join(
            f"{'-':>18}" if row is None else f"{row['p95_ms']:>10.1f} ({row['errors']:>4})"
            .rjust(18) for row in rows)
        ratio = ""
        if len(rows) == 2 and all(rows):
            ratio = f" {rows[1]['p95_ms'] / rows[0]['p95_ms']:>18.2f}"
        verdict = ""
        if name in TARGETED and all(rows):
            met = all(row["p95_ms"] < TARGET_P95_MS and row["errors"] == 0 for row in rows
                      if row is not None)
            verdict = "  met" if met else "  NOT met"
        print(f"{name:<18} {cells}{ratio}{verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clinicians", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--think", type=float, default=1.0, help="seconds between requests")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--mix", action="store_true",
                        help="the mixed workload: writes, reports and prognoses as jobs")
    parser.add_argument("--db", help="an empty database URL (default: a fresh SQLite file)")
    parser.add_argument("--fresh-schema", action="store_true",
                        help="with a PostgreSQL --db: a new schema in it, dropped afterwards")
    parser.add_argument("--both", metavar="POSTGRES_URL",
                        help="run on a fresh SQLite file, then in a fresh schema of this "
                             "PostgreSQL database, and compare them side by side")
    args = parser.parse_args()
    print(f"uptime: {_uptime()}")
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        targets = [(None, False), (args.both, True)] if args.both else [
            (args.db, args.fresh_schema)]
        for db, fresh in targets:
            with _database(db, fresh, Path(tmp)) as url:
                run = _measure(args, url, Path(tmp))
            runs.append(run)
            _print_run(args, run)
    if len(runs) == 2:
        _print_side_by_side(runs)
    print(f"uptime: {_uptime()}")
    if args.json:
        common = {"clinicians": args.clinicians, "duration_s": args.duration,
                  "think_s": args.think, "mix": args.mix}
        for run in runs:
            print(json.dumps({**common, **run}))


def _uptime() -> str:
    """The machine's load as ``uptime`` prints it (the lead compares runs by it)."""
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, check=True
                              ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


if __name__ == "__main__":
    main()
