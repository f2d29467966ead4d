"""The suite in tests/reference is the clinicians' suite, unchanged: equal to the shared
directory when that is present, and always equal to the hashes recorded when it was copied
(so a case is never edited to make a test pass)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from .suite import SHARED, SUITE, case_ids, case_path

MANIFEST = SUITE.parent / "clinic_cases.sha256"


def _files(base: Path) -> dict[str, bytes]:
    return {
        p.relative_to(base).as_posix(): p.read_bytes()
        for p in sorted(base.rglob("*"))
        if p.is_file()
    }


def test_copy_equals_the_shared_suite_when_present() -> None:
    copy = _files(SUITE)
    if SHARED.is_dir():
        assert copy == _files(SHARED)
    recorded = {
        name.removeprefix("./"): digest
        for digest, name in (line.split(maxsplit=1) for line in MANIFEST.read_text().splitlines())
    }
    assert {name: hashlib.sha256(data).hexdigest() for name, data in copy.items()} == recorded


def test_every_case_of_the_expectations_has_its_file() -> None:
    assert len(case_ids()) == 21
    assert all(case_path(c).is_file() for c in case_ids())
