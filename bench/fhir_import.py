"""FHIR import speed: a bundle of N Observations into the store, SQLite and PostgreSQL (issue 18).

Target: 5,000 observations in <= 3 s on each backend (main measured 19.5 s before issue 18).
One man with N LH results (one a day, each with its own identifier), timed in three parts:
parse (fhir.resources validation and the case-file rules), save (one transaction), and a
re-import of the same bundle (every record unchanged). Each backend gets a fresh database
or schema. Prints one JSON line per backend; run it with the machine's load beside it:

    uptime; python bench/fhir_import.py [--n 5000] [--postgres URL]
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from androcast.io.fhir import export_bundle, parse_bundle_entries
from androcast.labs import load_case
from androcast.store import Keyed, chart_from_case, open_store, save_charts, upgrade

CASE = Path(__file__).parents[1] / "examples" / "cases" / "post_trt.yaml"
AS_OF = dt.date(2025, 11, 1)


def bundle_of(n: int) -> dict[str, Any]:
    """The post-TRT man with ``n`` distinct LH results, as an exported (keyed) bundle."""
    case = load_case(CASE, as_of=AS_OF)
    lh = case.latest("lh")
    assert lh is not None
    series = [
        dataclasses.replace(lh, date=AS_OF - dt.timedelta(days=day), value=1.0 + day / 1e4)
        for day in range(n)
    ]
    chart = dataclasses.replace(chart_from_case(case), labs=tuple(Keyed(r) for r in series))
    return export_bundle(chart)


def measure(url: str, bundle: dict[str, Any]) -> dict[str, float]:
    upgrade(url)
    store = open_store(url)
    try:
        start, cpu_start = time.perf_counter(), time.process_time()
        parsed = parse_bundle_entries(bundle, as_of=AS_OF)
        parsed_at, cpu_parsed = time.perf_counter(), time.process_time()
        with store.transaction("bench") as session:
            summary = save_charts(session, parsed.charts)
        saved_at, cpu_saved = time.perf_counter(), time.process_time()
        again = parse_bundle_entries(bundle, as_of=AS_OF)
        with store.transaction("bench") as session:
            repeat = save_charts(session, again.charts)
        done = time.perf_counter()
    finally:
        store.close()
    records = sum(len(c.labs) + len(c.semen) + len(c.androgens) + len(c.medications)
                  for c in parsed.charts)
    assert summary.created == records and repeat.created == 0 and repeat.updated == 0
    return {
        "parse_s": round(parsed_at - start, 3),
        "save_s": round(saved_at - parsed_at, 3),
        "import_s": round(saved_at - start, 3),
        "reimport_s": round(done - saved_at, 3),
        # This process's CPU time: what the import costs, whatever the machine's load (the
        # database server's own time on PostgreSQL is not in it).
        "parse_cpu_s": round(cpu_parsed - cpu_start, 3),
        "save_cpu_s": round(cpu_saved - cpu_parsed, 3),
        "import_cpu_s": round(cpu_saved - cpu_start, 3),
    }


def postgres_schema(admin_url: str) -> tuple[str, Any]:
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    url = make_url(admin_url).update_query_dict({"options": f"-csearch_path={schema}"})

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()

    return url.render_as_string(hide_password=False), drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5000, help="observations in the bundle")
    parser.add_argument(
        "--postgres",
        default="postgresql+psycopg://postgres@127.0.0.1:5432/test",
        help="PostgreSQL URL ('' to skip)",
    )
    args = parser.parse_args()
    bundle = bundle_of(args.n)
    with tempfile.TemporaryDirectory() as tmp:
        sqlite = measure(f"sqlite:///{tmp}/bench.db", bundle)
    print(json.dumps({"backend": "sqlite", "observations": args.n, **sqlite}))
    if args.postgres:
        url, drop = postgres_schema(args.postgres)
        try:
            postgres = measure(url, bundle)
        finally:
            drop()
        print(json.dumps({"backend": "postgresql", "observations": args.n, **postgres}))


if __name__ == "__main__":
    main()
