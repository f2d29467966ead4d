"""Server-side sessions and the login limiter, on a clock the test moves."""

from __future__ import annotations

from androcast.web.passwords import hash_password, verify_password
from androcast.web.ratelimit import LoginLimiter
from androcast.web.sessions import SessionStore


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_session_ends_after_its_idle_time_and_after_its_maximum_age() -> None:
    clock = Clock()
    store = SessionStore(idle_s=60, max_s=300, clock=clock)
    session = store.log_in(None, user_id=1, username="a", role="clinician", clinic="A")
    clock.now += 59
    assert store.get(session.id) is not None  # each request restarts the idle clock
    clock.now += 59
    assert store.get(session.id) is not None
    clock.now += 61
    assert store.get(session.id) is None
    kept = store.log_in(None, user_id=1, username="a", role="clinician", clinic="A")
    for _ in range(6):
        clock.now += 50
        assert store.get(kept.id) is not None  # active, and at most 300 s old
    clock.now += 1
    assert store.get(kept.id) is None  # over 300 s in all, however active


def test_logging_in_gives_a_new_id_and_csrf_token_and_forgets_the_old_session() -> None:
    store = SessionStore(idle_s=60, max_s=300, clock=Clock())
    anonymous = store.new()
    session = store.log_in(anonymous, user_id=7, username="b", role="admin", clinic="B")
    assert session.id != anonymous.id and session.csrf_token != anonymous.csrf_token
    assert store.get(anonymous.id) is None
    assert store.get(session.id) == session
    assert session.authenticated and not anonymous.authenticated


def test_the_limiter_blocks_after_max_failures_until_the_window_has_passed() -> None:
    clock = Clock()
    limiter = LoginLimiter(max_failures=3, window_s=300, clock=clock)
    for _ in range(3):
        assert limiter.retry_after_s("address:1", "user:a") == 0
        limiter.failed("address:1", "user:a")
    assert limiter.retry_after_s("user:a") == 300
    clock.now += 100
    assert limiter.retry_after_s("address:1") == 200
    clock.now += 201
    assert limiter.retry_after_s("address:1", "user:a") == 0


def test_success_forgets_the_user_but_not_the_address() -> None:
    limiter = LoginLimiter(max_failures=2, window_s=300, clock=Clock())
    limiter.failed("address:1", "user:a")
    limiter.failed("address:1", "user:a")
    limiter.succeeded("user:a")
    assert limiter.retry_after_s("user:a") == 0
    assert limiter.retry_after_s("address:1") == 300


def test_password_hashes_verify_only_their_password() -> None:
    hashed = hash_password("s3cret")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "s3cret")
    assert not verify_password(hashed, "S3cret")
    assert not verify_password(None, "s3cret")
    assert not verify_password("not a hash", "s3cret")


def test_anonymous_and_logged_in_sessions_are_capped_least_recently_used_first() -> None:
    clock = Clock()
    store = SessionStore(idle_s=60, max_s=300, clock=clock, max_anonymous=100,
                         max_authenticated=10)
    kept = store.log_in(None, user_id=1, username="a", role="clinician", clinic="A")
    for _ in range(1000):  # a script hammering the login page
        store.new()
    assert store.counts() == (100, 1)  # anonymous ones never push a logged-in one out
    assert store.get(kept.id) is not None
    users = [store.log_in(None, user_id=i, username=f"u{i}", role="clinician", clinic="A")
             for i in range(2, 30)]
    assert store.counts()[1] == 10
    assert store.get(users[-1].id) is not None and store.get(kept.id) is None  # oldest went


def test_expired_sessions_go_from_the_stale_end_without_walking_the_live_ones() -> None:
    clock = Clock()
    store = SessionStore(idle_s=60, max_s=300, clock=clock)
    for _ in range(500):
        store.new()
    clock.now += 61
    live = [store.new() for _ in range(5)]
    assert store.counts() == (5, 0)  # the 500 idle ones swept by the first new session
    assert all(store.get(s.id) is not None for s in live)


def test_ending_a_users_sessions_keeps_the_one_asked_to_keep() -> None:
    store = SessionStore(idle_s=60, max_s=300, clock=Clock())
    first, second, other = (
        store.log_in(None, user_id=uid, username="x", role="clinician", clinic="A")
        for uid in (1, 1, 2))
    assert store.end_user(1, keep=second.id) == 1
    assert store.get(first.id) is None and store.get(second.id) is not None
    assert store.get(other.id) is not None
