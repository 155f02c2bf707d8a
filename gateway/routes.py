"""``/api/session/start`` and ``/api/session/end``: the server sets and clears the login cookie.

Streamlit's script cannot send HTTP headers (it talks to the browser over a websocket), so the
login form sends the browser here once, with a one-time grant, exactly like ``st.login`` sends it
to ``/auth/login``. The cookie is HttpOnly (no script can read it), SameSite=Lax, and Secure when
the request came over TLS (directly or through a trusted proxy).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from core.settings import load_settings
from data_access.db import get_engine
from data_access.sessions import end_session, redeem_grant

COOKIE_NAME = "forandringsmodel_session"
START_PATH = "/api/session/start"
END_PATH = "/api/session/end"


def safe_next(target: str | None) -> str:
    """Only a path on this site (never ``//evil`` or ``https://evil``): no open redirect."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") \
            or "\\" in target:
        return "/"
    return target


def _engine():  # noqa: ANN202  (one engine per URL and process, as in the app)
    return get_engine(load_settings().database_url)


def start(request: Request) -> RedirectResponse:
    """Swap the one-time grant for the session cookie and go back to the page."""
    response = RedirectResponse(safe_next(request.query_params.get("next")), status_code=303)
    response.headers["Cache-Control"] = "no-store"
    token = redeem_grant(_engine(), request.query_params.get("grant", ""))
    if token is None:  # used, expired or forged: the login form will show again
        return response
    set_session_cookie(response, request, token)
    return response


def set_session_cookie(response: Response, request: Request, token: str) -> None:
    """The login cookie: HttpOnly, SameSite=Lax, Secure over TLS, for the absolute lifetime."""
    response.set_cookie(
        COOKIE_NAME, token, max_age=int(load_settings().session_absolute_hours * 3600),
        path="/", httponly=True, samesite="lax", secure=request.url.scheme == "https")


def end(request: Request) -> RedirectResponse:
    """Clear the cookie (the session itself was already ended in the store by *Log ud*)."""
    token = request.cookies.get(COOKIE_NAME)
    if token:
        end_session(_engine(), token=token)
    response = RedirectResponse(safe_next(request.query_params.get("next")), status_code=303)
    response.headers["Cache-Control"] = "no-store"
    response.delete_cookie(COOKIE_NAME, path="/", httponly=True, samesite="lax",
                           secure=request.url.scheme == "https")
    return response


ROUTES = [Route(START_PATH, start, methods=["GET"]), Route(END_PATH, end, methods=["GET"])]
