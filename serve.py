"""Entry point of the web server: ``streamlit run serve.py`` (``make run`` does this).

``app.py`` is the Streamlit script; this file wraps it in ``st.App`` to add what a script cannot
do: the routes that set and clear the HttpOnly login cookie (``gateway/routes.py``), single
sign-on with OpenID Connect (``gateway/oidc.py``) and the client address behind trusted proxies
(``gateway/client.py``). ``streamlit run app.py`` still works, but then a login lasts only as
long as its browser tab, and there is no single sign-on.
"""

from __future__ import annotations

import streamlit as st
import uvicorn.config
from starlette.middleware import Middleware

import gateway
from core.settings import load_settings
from gateway.client import ClientAddressMiddleware
from gateway.oidc import OIDC_ROUTES
from gateway.routes import ROUTES
from ui.auth import InsecureCookieKey, cookie_key


def _no_proxy_headers(app, trusted_hosts=None):  # noqa: ANN001, ANN202, ARG001
    """uvicorn believes X-Forwarded-For from 127.0.0.1 by default, before any middleware of ours
    runs (and then the real socket peer is lost). Trust is decided by TRUSTED_PROXIES alone, in
    ClientAddressMiddleware. uvicorn looks this name up after importing this module."""
    return app


uvicorn.config.ProxyHeadersMiddleware = _no_proxy_headers  # type: ignore[misc,assignment]

gateway.ACTIVE = True
_settings = load_settings()
try:
    # Streamlit signs its own cookies (XSRF, the single sign-on round trip) with this key; the
    # same in every replica. Outside demo mode a missing or weak COOKIE_KEY stops the server.
    st.config.set_option("server.cookieSecret", cookie_key(_settings))
except InsecureCookieKey as exc:
    raise SystemExit(str(exc)) from None
app = st.App(
    "app.py",
    routes=[*ROUTES, *OIDC_ROUTES],
    middleware=[Middleware(ClientAddressMiddleware, trusted=_settings.trusted_proxies)],
)
