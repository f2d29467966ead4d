"""Background jobs: progress, time budget, owners, one job per key, a bounded queue; and
the HTTP endpoints (status, result, server-sent events) over a posted case's prognosis."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from webhelpers import api_token, example

from androcast._yaml import load_data
from androcast.errors import ParameterError
from androcast.web.jobs import JobNotDone, JobNotFound, JobRunner, Progress, QueueFull

ClientFor = Callable[[str], TestClient]


def _finished(runner: JobRunner, job_id: str, owner: str = "A/alice") -> str:
    deadline = time.monotonic() + 30
    state = runner.get(job_id, owner).state
    while state not in ("done", "failed") and time.monotonic() < deadline:
        state = runner.wait(job_id, owner, 1.0).state
    return state


def test_a_job_reports_progress_and_keeps_its_result_for_its_owner_only() -> None:
    runner = JobRunner(workers=1)
    step = threading.Event()
    seen: list[float] = []

    def work(progress: Progress) -> int:
        progress(0.4, "half way")
        step.wait(5)
        return 42

    job = runner.submit("A/alice", "test", work)
    deadline = time.monotonic() + 5
    while runner.get(job.id, "A/alice").progress < 0.4 and time.monotonic() < deadline:
        time.sleep(0.01)
    running = runner.get(job.id, "A/alice")
    seen.append(running.progress)
    assert (running.state, running.message) == ("running", "half way")
    with pytest.raises(JobNotDone):
        runner.result(job.id, "A/alice")
    step.set()
    assert _finished(runner, job.id) == "done"
    assert runner.result(job.id, "A/alice") == 42 and seen == [0.4]
    assert runner.get(job.id, "A/alice").to_dict()["progress"] == 1.0
    with pytest.raises(JobNotFound):
        runner.get(job.id, "B/bob")  # another owner's job is not found
    runner.shutdown()


def test_a_job_past_its_budget_fails_at_its_next_progress_report() -> None:
    runner = JobRunner(workers=1, budget_s=0.05)

    def slow(progress: Progress) -> None:
        for i in range(100):
            time.sleep(0.01)
            progress(i / 100)

    job = runner.submit("A/alice", "test", slow)
    assert _finished(runner, job.id) == "failed"
    view = runner.get(job.id, "A/alice")
    assert view.error == "took longer than its budget of 0.05 s" and view.progress < 0.5
    runner.shutdown()


def test_an_error_of_the_core_is_the_job_s_message_and_anything_else_says_no_detail() -> None:
    runner = JobRunner(workers=1)

    def refused(_: Progress) -> None:
        raise ParameterError("n", 1, "at least 2 virtual men")

    def broken(_: Progress) -> None:
        raise RuntimeError("/srv/secret/path.db")

    first = runner.submit("A/alice", "test", refused)
    second = runner.submit("A/alice", "test", broken)
    assert _finished(runner, first.id) == _finished(runner, second.id) == "failed"
    assert "at least 2 virtual men" in str(runner.get(first.id, "A/alice").error)
    assert "secret" not in str(runner.get(second.id, "A/alice").to_dict())
    runner.shutdown()


def test_one_job_per_key_and_a_bounded_queue() -> None:
    runner = JobRunner(workers=1, max_pending=2)
    release = threading.Event()

    def blocked(_: Progress) -> None:
        release.wait(5)

    first = runner.submit("A/alice", "test", blocked, key="his outlook v1")
    again = runner.submit("A/alice", "test", blocked, key="his outlook v1")
    assert again.id == first.id  # a reloaded page does not queue the same work twice
    other = runner.submit("B/bob", "test", blocked, key="his outlook v1")
    assert other.id != first.id  # keys are per owner
    with pytest.raises(QueueFull):
        runner.submit("A/alice", "test", blocked)
    release.set()
    assert _finished(runner, first.id) == "done"
    assert _finished(runner, other.id, "B/bob") == "done"
    runner.submit("A/alice", "test", blocked)  # room again
    runner.shutdown()


def test_urgent_jobs_run_first_and_a_clinic_s_job_is_seen_by_its_clinic() -> None:
    runner = JobRunner(workers=1, max_pending=2)
    release, order = threading.Event(), []

    def blocked(_: Progress) -> None:
        release.wait(5)

    def note(name: str) -> Callable[[Progress], None]:
        return lambda _: order.append(name)

    runner.submit("A/alice", "test", blocked)  # the one worker is busy
    runner.submit("A/alice", "report", note("report"))
    step = runner.submit("A/alice", "monitoring", note("step"), key=("step", "P1"),
                         audience="A/", priority=0, essential=True, join_running=False)
    # the queue is full for anything else, not for a step after a write already made
    with pytest.raises(QueueFull):
        runner.submit("A/alice", "report", note("late"))
    # anna of clinic A joins alice's waiting step (one waits per key) and sees it; bob not
    joined = runner.submit("A/anna", "monitoring", note("twice"), key=("step", "P1"),
                           audience="A/", priority=0, essential=True, join_running=False)
    assert joined.id == step.id and runner.find("A/anna", ("step", "P1")) is not None
    assert runner.find("B/bob", ("step", "P1")) is None
    with pytest.raises(JobNotFound):
        runner.get(step.id, "B/bob")
    release.set()
    assert runner.wait_idle(30)
    assert order == ["step", "report"]  # the urgent job first, each once
    runner.shutdown()


def test_a_running_job_is_not_joined_when_its_input_may_be_older() -> None:
    runner = JobRunner(workers=2)
    started, release = threading.Event(), threading.Event()
    running, most = [0], [0]
    lock = threading.Lock()

    def step(_: Progress) -> None:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        started.set()
        release.wait(5)
        with lock:
            running[0] -= 1

    first = runner.submit("A/alice", "monitoring", step, key="P1", join_running=False)
    assert started.wait(5)
    second = runner.submit("A/alice", "monitoring", step, key="P1", join_running=False)
    assert second.id != first.id  # the running step read his results before this write
    third = runner.submit("A/alice", "monitoring", step, key="P1", join_running=False)
    assert third.id == second.id  # ... but the waiting one reads them when it starts
    time.sleep(0.2)  # a free worker does not start the second while the first runs
    assert runner.get(second.id, "A/alice").state == "queued"
    release.set()
    assert runner.wait_idle(30)
    assert most[0] == 1 and runner.get(second.id, "A/alice").state == "done"
    runner.shutdown()


def test_a_job_that_waited_out_its_budget_in_the_queue_is_not_started() -> None:
    runner = JobRunner(workers=1, budget_s=0.2)
    release, ran = threading.Event(), []

    def blocked(_: Progress) -> None:
        release.wait(5)

    runner.submit("A/alice", "test", blocked, budget_s=30)
    late = runner.submit("A/alice", "test", lambda _: ran.append(1))
    time.sleep(0.4)
    release.set()
    assert _finished(runner, late.id) == "failed" and ran == []
    assert runner.get(late.id, "A/alice").error == (
        "waited longer than its budget of 0.2 s for a free worker: the server is busy, "
        "try again later")
    runner.shutdown()


def test_finished_jobs_are_forgotten_after_keep_s() -> None:
    now = [0.0]
    runner = JobRunner(workers=1, keep_s=10.0, clock=lambda: now[0])
    job = runner.submit("A/alice", "test", lambda _: 1)
    assert _finished(runner, job.id) == "done"
    now[0] = 11.0
    runner.submit("A/alice", "test", lambda _: 2)  # a submission sweeps the old ones
    with pytest.raises(JobNotFound):
        runner.get(job.id, "A/alice")
    runner.shutdown()


def test_a_posted_prognosis_runs_as_a_job_with_status_events_and_result(
    client_for: ClientFor,
) -> None:
    alice, bob = client_for("alice"), client_for("bob")
    case = load_data(example("cases/post_trt.yaml").read_text(encoding="utf-8"))
    body = {"case": json.loads(json.dumps(case, default=str)), "particles": 4,
            "protocols": ["watchful_waiting"]}
    started = alice.post("/api/jobs/prognosis", json=body, headers=api_token(alice))
    assert started.status_code == 202, started.text
    job = started.json()
    assert job["state"] in ("queued", "running", "done")
    assert job["result_url"] == f"/api/jobs/{job['id']}/result"
    with alice.stream("GET", job["events_url"]) as events:
        assert events.headers["content-type"].startswith("text/event-stream")
        statuses = [
            json.loads(line[len("data: "):]) for line in events.iter_lines()
            if line.startswith("data: ")
        ]
    assert statuses[-1]["state"] == "done" and statuses[-1]["progress"] == 1.0
    assert alice.get(job["status_url"]).json()["state"] == "done"
    result = alice.get(job["result_url"]).json()
    assert result[0]["protocols"][0]["id"] == "watchful_waiting"
    assert bob.get(job["status_url"]).status_code == 404  # not his job
    assert bob.get(job["result_url"]).status_code == 404


def test_a_bad_case_is_refused_before_any_job_is_queued(client_for: ClientFor) -> None:
    alice = client_for("alice")
    bad = {"case": {"patient": {"id": "X", "age_years": "old"}}}
    response = alice.post("/api/jobs/plan", json=bad, headers=api_token(alice))
    assert response.status_code == 422 and response.json()["error"]["field"]


def test_pregnancy_without_partner_age_is_refused_before_any_job_is_queued(
    client_for: ClientFor,
) -> None:
    alice = client_for("alice")
    case = load_data(example("cases/post_trt.yaml").read_text(encoding="utf-8"))
    body = {"case": json.loads(json.dumps(case, default=str)), "particles": 4,
            "outcomes": ["pregnancy_natural"]}
    for path in ("/api/jobs/prognosis", "/api/prognosis"):
        response = alice.post(path, json=body, headers=api_token(alice))
        assert response.status_code == 422, response.text
        assert response.json()["error"]["field"] == "partner.age_years"


def test_his_outlook_job_fills_the_page_s_cache(client_for: ClientFor) -> None:
    alice = client_for("alice")
    started = alice.post("/api/jobs/outlook/P001", headers=api_token(alice))
    assert started.status_code == 202, started.text
    job = started.json()
    assert job["result_url"] == "/patients/P001/outlook"
    # his clinic's job: anna asking for it while it waits or runs is answered it (or, once
    # it runs, a second that starts from his record after it)
    anna = client_for("anna")
    again = anna.post("/api/jobs/outlook/P001", headers=api_token(anna)).json()
    assert again["id"] == job["id"] or again["state"] in ("queued", "done")
    deadline = time.monotonic() + 60
    while alice.get(job["status_url"]).json()["state"] not in ("done", "failed"):
        assert time.monotonic() < deadline
        time.sleep(0.2)
    assert alice.get(job["status_url"]).json()["state"] == "done"
    page = alice.get("/patients/P001").text
    assert 'data-testid="compute-outlook"' not in page  # kept: shown at once
    # kept for his record as it is: asked again, a job that is done already (no queueing)
    kept = alice.post("/api/jobs/outlook/P001", headers=api_token(alice)).json()
    assert kept["id"] != job["id"] and kept["state"] == "done"
    assert alice.post("/api/jobs/outlook/PRL-034", headers=api_token(alice)).status_code == 404


def test_a_page_that_cannot_wait_shows_the_job_s_progress(database_url: str) -> None:
    from webhelpers import PARTICLES, log_in

    from androcast.web import WebSettings, create_app

    web = create_app(WebSettings(database_url=database_url, secure_cookies=False,
                                 particles=PARTICLES, outlook_wait_s=0.0))
    with TestClient(web) as client:
        log_in(client, "alice")
        page = client.get("/patients/P001/outlook", headers={"HX-Request": "true"})
        if page.status_code == 202:  # not kept from an earlier test of this module
            assert 'data-testid="outlook-job"' in page.text
            assert 'hx-get="/patients/P001/outlook"' in page.text
            assert "data-job-events=\"/api/jobs/" in page.text
        else:
            assert page.status_code == 200
