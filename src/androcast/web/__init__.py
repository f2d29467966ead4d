"""The clinician web app: server-rendered pages (Jinja2, HTMX), a JSON API, login.

``create_app(WebSettings(database_url=...))`` returns the FastAPI application;
``androcast serve`` runs it with uvicorn and ``androcast demo`` with a demo clinic.
Passwords are argon2 hashes, sessions live on the server, every form carries a CSRF
token, and a user sees only the patients of his own clinic.
"""

from androcast.web.app import create_app
from androcast.web.passwords import hash_password, one_time_password, verify_password
from androcast.web.settings import WebSettings

__all__ = ["WebSettings", "create_app", "hash_password", "one_time_password", "verify_password"]
