"""How one web app instance runs: its database, cookies, sessions and login limits."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WebSettings:
    """Configuration the adapter reads (``androcast serve`` options) and passes inward.

    ``secure_cookies``: send the session cookie only over HTTPS. Turn it off only for a
    server on the loopback interface (``androcast demo``, tests), where there is no TLS.
    ``particles``: virtual men in a patient's twin for the prognosis and plan of his page
    (more: narrower intervals, slower); ``outlook_cache_entries`` bounds the results kept.
    """

    database_url: str
    secure_cookies: bool = True
    session_idle_s: float = 30 * 60.0
    session_max_s: float = 12 * 3600.0
    login_max_failures: int = 5
    login_window_s: float = 300.0
    particles: int = 32
    outlook_cache_entries: int = 64
