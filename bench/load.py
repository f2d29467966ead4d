"""Load on the web app (run on demand): simulated clinicians on patient and assessment pages.

Starts ``androcast serve`` on 127.0.0.1 over a fresh SQLite demo database (the demo clinic's
example patients), logs in one session per clinician, and for ``--duration`` seconds each
clinician opens a patient's page (record, assessment, chart), the patient list, and the
stored assessment from the API, with ``--think`` seconds between requests. Prints p50, p95
and p99 latency and the error count per page as a table (and one JSON line with ``--json``).

    python bench/load.py [--clinicians 50] [--duration 60] [--think 1.0] [--port 8765]

Traffic goes only to the server this script starts on the loopback interface, and stops
after ``--duration`` seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import httpx

from androcast.cli.demo import prepare_demo
from androcast.store import list_patients, open_store
from androcast.store.users import add_user
from androcast.web import hash_password

HOST = "127.0.0.1"
PASSWORD = "bench-password-not-secret"


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
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if (
                httpx.get(f"http://{HOST}:{port}/login", timeout=1, trust_env=False).status_code
                == 200
            ):
                return server
        except httpx.TransportError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the server did not start")


async def _log_in(client: httpx.AsyncClient, name: str) -> None:
    login = await client.post("/api/login", json={"username": name, "password": PASSWORD})
    login.raise_for_status()


async def _clinician(
    client: httpx.AsyncClient,
    patients: list[str],
    until: float,
    think_s: float,
    seed: int,
    latencies: dict[str, list[float]],
    errors: dict[str, int],
) -> None:
    rng = random.Random(seed)
    await asyncio.sleep(rng.uniform(0, think_s))  # clinicians do not start in step
    while time.monotonic() < until:
        patient = rng.choice(patients)
        for page, path in (
            ("patient page", f"/patients/{patient}"),
            ("assessment (API)", f"/api/patients/{patient}/assessment"),
            ("patient list", "/patients"),
        ):
            if time.monotonic() >= until:
                return
            start = time.perf_counter()
            response = None
            failure = ""
            try:
                response = await client.get(path)
                ok = response.status_code == 200
            except httpx.HTTPError as err:  # named in the report: a timeout is not a reset
                ok = False
                failure = type(err).__name__
            latencies[page].append(time.perf_counter() - start)
            if not ok:
                errors[page] += 1
                what = f"no answer ({failure})" if response is None else (
                    f"HTTP {response.status_code}")
                errors[f"{page}: {what}"] += 1
            await asyncio.sleep(think_s)


def _percentile(values: list[float], q: float) -> float:
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


async def _run(
    args: argparse.Namespace, patients: list[str]
) -> tuple[dict[str, list[float]], dict[str, int], float]:
    latencies: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    base = f"http://{HOST}:{args.port}"
    clients = [
        httpx.AsyncClient(base_url=base, timeout=30, trust_env=False)
        for _ in range(args.clinicians)
    ]
    try:
        # Everyone logs in first (argon2 verification is deliberately slow); then measure.
        await asyncio.gather(*(_log_in(c, f"clinician{i:02d}") for i, c in enumerate(clients)))
        started = time.monotonic()
        until = started + args.duration
        await asyncio.gather(
            *(
                _clinician(c, patients, until, args.think, i, latencies, errors)
                for i, c in enumerate(clients)
            )
        )
        return latencies, errors, time.monotonic() - started
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clinicians", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--think", type=float, default=1.0, help="seconds between requests")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'load.db'}"
        patients = _prepare(url, args.clinicians)
        log = Path(tmp) / "server.log"
        server = _start_server(url, args.port, log)
        try:
            _warm_up(args.port, patients)
            latencies, errors, elapsed = asyncio.run(_run(args, patients))
        finally:
            server.terminate()
            server.wait(timeout=30)
            server_log = log.read_text(encoding="utf-8", errors="replace")
            tracebacks = server_log.count("Traceback")
    everything = [v for values in latencies.values() for v in values]
    rows = {**latencies, "all": everything}
    print(
        f"{args.clinicians} clinicians, {args.duration:g} s, think {args.think:g} s, "
        f"{len(everything) / elapsed:.1f} requests/s"
    )
    columns = ("requests", "errors", "p50 ms", "p95 ms", "p99 ms", "max ms")
    print(f"{'page':<18} " + " ".join(f"{c:>8}" for c in columns))
    summary = {}
    for page, values in rows.items():
        n_errors = sum(errors[p] for p in latencies) if page == "all" else errors[page]
        p50, p95, p99 = (_percentile(values, q) * 1000 for q in (50, 95, 99))
        summary[page] = {
            "requests": len(values),
            "errors": n_errors,
            "p50_ms": round(p50, 1),
            "p95_ms": round(p95, 1),
            "p99_ms": round(p99, 1),
        }
        print(
            f"{page:<18} {len(values):>8} {n_errors:>8} {p50:>8.1f} {p95:>8.1f} {p99:>8.1f} "
            f"{max(values) * 1000:>8.1f}"
        )
    for kind, count in sorted(errors.items()):
        if ": " in kind:
            print(f"errors {kind}: {count}")
    print(f"server tracebacks: {tracebacks}")
    if tracebacks:
        first = server_log[server_log.index("Traceback") :].splitlines()[:40]
        print("\n".join(first), file=sys.stderr)
    if args.json:
        print(
            json.dumps(
                {
                    "clinicians": args.clinicians,
                    "duration_s": args.duration,
                    "think_s": args.think,
                    "pages": summary,
                }
            )
        )


if __name__ == "__main__":
    main()
