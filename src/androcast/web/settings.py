"""How one web app instance runs: its database, cookies, sessions and login limits."""

from __future__ import annotations

from dataclasses import dataclass

from androcast import DEFAULT_PARTICLES
from androcast.web.boundary import MAX_BODY_BYTES

ONE_TIME_PASSWORD_TTL_S = 72 * 3600.0


@dataclass(frozen=True)
class WebSettings:
    """Configuration the adapter reads (``androcast serve`` options) and passes inward.

    ``secure_cookies``: send the session cookie only over HTTPS. Turn it off only for a
    server on the loopback interface (``androcast demo``, tests), where there is no TLS.
    ``particles``: virtual men in a patient's twin for the prognosis and plan of his page
    (more: narrower intervals, slower); ``outlook_cache_entries`` bounds the results kept;
    ``page_cache_entries`` the patient pages' data kept (``routes.pages``: a few per man).
``trusted_proxies``: addresses of reverse proxies (TLS terminators) whose X-Forwarded-For
names the client (``androcast serve --trusted-proxy``); from any other peer it is ignored.
``max_body_bytes``: the largest request body on every path (API, forms, FHIR: 413 beyond).
``one_time_password_ttl_s``: how long a one-time password an admin sets works (it must be
changed at the first login; 72 h gives a user a weekend to log in).
``job_workers``, ``job_queue``, ``job_budget_s``: the background jobs' pool, how many may
wait or run, each one's time budget and how much lower their CPU priority is than the
requests' (``web.jobs``); ``outlook_wait_s``: how long a page
asking for a prognosis waits for its job before it shows the job's progress instead.
    """

    database_url: str
    secure_cookies: bool = True
    session_idle_s: float = 30 * 60.0
    session_max_s: float = 12 * 3600.0
    login_max_failures: int = 5
    login_window_s: float = 300.0
    one_time_password_ttl_s: float = ONE_TIME_PASSWORD_TTL_S
    particles: int = DEFAULT_PARTICLES  # the CLI's: the page shows the same precision
    outlook_cache_entries: int = 64
    page_cache_entries: int = 512
    max_body_bytes: int = MAX_BODY_BYTES
    trusted_proxies: tuple[str, ...] = ()
    job_workers: int = 2
    job_queue: int = 64
    job_budget_s: float = 120.0
    job_nice: int = 10
    outlook_wait_s: float = 10.0
