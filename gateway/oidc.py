"""Single sign-on with OpenID Connect: ``/api/oidc/login`` and ``/api/oidc/callback``.

Why Authlib in our own routes and not ``st.login``: ``st.login`` keeps the identity in
Streamlit's own signed cookie for 30 days, which *Log ud*, deactivation and role changes in the
store cannot end, and a refused user would still be "logged in" to Streamlit. Here the provider
only proves who someone is; the server then finds the ``user_account`` by e-mail (or another
claim) and gives the browser the same server-side session as a password login
(``method="oidc"``), so everything in README "Login and accounts" holds for both.

Authlib does the protocol: discovery, state, nonce, PKCE (S256), the code exchange and the
ID token's signature, issuer, audience and expiry. The state lives in Streamlit's own
``SessionMiddleware`` cookie between the two routes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx2
from authlib.integrations.starlette_client import OAuth, OAuthError
from sqlalchemy.engine import Engine
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import Route

from core.settings import load_settings
from core.sso import SsoSettings, roles_for_groups
from data_access.accounts import AccountError, find_by_email, record_event, set_roles
from data_access.sessions import redeem_grant, start_session
from gateway.client import CLIENT_HEADER
from gateway.routes import _engine, safe_next, set_session_cookie

LOG = logging.getLogger("dashboard.sso")
LOGIN_PATH = "/api/oidc/login"
CALLBACK_PATH = "/api/oidc/callback"
# What the login form is told in ?sso=… after a round trip that did not log in.
REFUSED = "ingen-adgang"
FAILED = "fejl"
ACTOR = "sso"
_NEXT_KEY = "forandringsmodel_oidc_next"
_clients: dict[tuple[str, str, str], object] = {}


def _client(sso: SsoSettings):  # noqa: ANN202  (Authlib's StarletteOAuth2App)
    """One Authlib client per provider and process (it caches the discovery document)."""
    key = (sso.metadata_url, sso.client_id, sso.scope)
    if key not in _clients:
        oauth = OAuth()
        oauth.register("kommune", client_id=sso.client_id, client_secret=sso.client_secret,
                       server_metadata_url=sso.metadata_url,
                       client_kwargs={"scope": sso.scope, "code_challenge_method": "S256"})
        _clients[key] = oauth.create_client("kommune")
    return _clients[key]


def with_outcome(target: str, outcome: str) -> str:
    """``target`` with ``sso=<outcome>`` in its query (for the login form to explain).

    >>> with_outcome("/dagtilbud?enhed=580", "fejl")
    '/dagtilbud?enhed=580&sso=fejl'
    """
    parts = urlsplit(target)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "sso"] + [("sso", outcome)]
    return urlunsplit(("", "", parts.path or "/", urlencode(query), ""))


@dataclass(frozen=True)
class SignIn:
    """What a verified identity gives: a session token, or the reason for a refusal."""

    token: str | None
    reason: str = ""


def sign_in(engine: Engine, *, claims: dict, sso: SsoSettings, client: str) -> SignIn:
    """Match verified claims to an active ``user_account`` and start its session.

    Refused (and audited as ``login_sso_refused``): no value in the match claim, an e-mail the
    provider says is not verified, no active account with that e-mail, or — when groups are
    mapped to roles — no mapped group. With a mapping, the account's roles follow the groups
    (changed and audited at each login); its org units always stay as the store has them.
    """
    value = str(claims.get(sso.match_claim) or "").strip()
    reason = ""
    account = None
    if not value:
        reason = f"intet {sso.match_claim} fra udbyderen"
    elif claims.get("email_verified") is False and sso.match_claim == "email":
        reason = f"{sso.match_claim}={value} er ikke bekræftet hos udbyderen"
    else:
        account = find_by_email(engine, value)
        if account is None:
            reason = f"ingen aktiv bruger med {sso.match_claim}={value}"
    if account is not None and sso.group_roles:
        groups = claims.get(sso.groups_claim) or []
        roles = roles_for_groups(groups if isinstance(groups, list) else [groups],
                                 sso.group_roles)
        if not roles:
            reason = f"{account.username}: ingen gruppe giver en rolle"
            account = None
        elif roles != account.roles:
            try:
                set_roles(engine, actor=ACTOR, username=account.username, roles=roles)
            except AccountError as exc:  # e.g. the last administrator would lose the role
                reason = f"{account.username}: {exc}"
                account = None
    if account is None:
        record_event(engine, username=value[:60] or "?", action="login_sso_refused",
                     detail=f"{reason}, klient {client}")
        return SignIn(None, reason)
    _, grant = start_session(engine, username=account.username, client=client, method="oidc")
    record_event(engine, username=account.username, action="login_ok",
                 detail=f"kommunens login, klient {client}")
    return SignIn(redeem_grant(engine, grant))


def _redirect(target: str) -> RedirectResponse:
    response = RedirectResponse(target, status_code=303)
    response.headers["Cache-Control"] = "no-store"
    return response


def _redirect_uri(request: Request, sso: SsoSettings) -> str:
    return sso.redirect_uri or str(request.url_for("oidc_callback"))


async def login(request: Request) -> RedirectResponse:
    """Send the browser to the provider (remembering the page to come back to)."""
    sso = load_settings().sso
    target = safe_next(request.query_params.get("next"))
    if sso is None:
        return _redirect(target)
    request.session[_NEXT_KEY] = target
    try:
        return await _client(sso).authorize_redirect(request, _redirect_uri(request, sso))
    except (OAuthError, httpx2.HTTPError, ValueError):
        LOG.exception("Single sign-on: the provider could not be reached")
        return _redirect(with_outcome(target, FAILED))


async def callback(request: Request) -> RedirectResponse:
    """Back from the provider: verify, match the account, set the session cookie."""
    sso = load_settings().sso
    target = safe_next(request.session.pop(_NEXT_KEY, "/"))
    if sso is None:
        return _redirect(target)
    client = request.headers.get(CLIENT_HEADER, "")[:80]
    try:
        token = await _client(sso).authorize_access_token(request)
        claims = dict(token.get("userinfo") or {})
        if sso.match_claim not in claims:  # some providers put it only in /userinfo
            claims.update(await _client(sso).userinfo(token=token))
    except (OAuthError, httpx2.HTTPError, ValueError, KeyError) as exc:
        LOG.warning("Single sign-on failed: %s", exc)
        await run_in_threadpool(record_event, _engine(), username="?",
                                action="login_sso_failed", detail=f"{exc}, klient {client}")
        return _redirect(with_outcome(target, FAILED))
    outcome = await run_in_threadpool(lambda: sign_in(_engine(), claims=claims, sso=sso,
                                                      client=client))
    if outcome.token is None:
        return _redirect(with_outcome(target, REFUSED))
    response = _redirect(target)
    set_session_cookie(response, request, outcome.token)
    return response


OIDC_ROUTES = [Route(LOGIN_PATH, login, methods=["GET"]),
               Route(CALLBACK_PATH, callback, methods=["GET"], name="oidc_callback")]
