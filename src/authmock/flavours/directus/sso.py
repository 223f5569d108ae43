"""SSO (oauth2, openid, saml) against a built-in fake identity provider.

Directus's side is faithful: ``GET /auth/login/<p>`` checks the ``redirect`` allow-list, sets the
5-minute ``<driver>.<p>`` cookie and answers 302; the callback (or SAML's ACS) logs the user in,
sets the session (``mode`` session, the default) or refresh cookie and redirects, or redirects
with ``?reason=<CODE>`` on failure. The identity provider is authmock's own small HTML page
(under the control prefix) listing the fixture users: "Sign in as <user>" completes the flow.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

from flask import Flask, Response, request

from authmock.flavours.directus import errors as E
from authmock.flavours.directus import http as H
from authmock.flavours.directus.http import url_allowed
from authmock.mock import CONTROL_PREFIX
from authmock.tokens import constant_time_equals

#: the fake identity providers' pages: authmock's own, under the control prefix
IDP_PREFIX = CONTROL_PREFIX + "/directus/idp"

if TYPE_CHECKING:
    from authmock.flavours.directus.config import Provider
    from authmock.flavours.directus.state import Ctx, Directus

SSO_DRIVERS = ("oauth2", "openid", "saml")
CODE_TTL = 300.0
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")


def _provider(api: Directus, name: str, drivers: tuple[str, ...]) -> Provider:
    p = api.svc.provider(name)
    if p is None or p.driver not in drivers:
        raise E.route_not_found(H.raw_path())
    return p


_SPECIAL = ("http", "https", "ws", "wss", "ftp")
#: WHATWG's forbidden host code points (a special URL with one in its host does not parse)
_FORBIDDEN_HOST = re.compile(r"[\x00-\x20#/:<>?@\[\\\]^|\x7f]")


def _origin(url: str) -> tuple[str, str] | None:
    """``new URL(url)``'s protocol and hostname, or None where ``URL.canParse`` is false
    (Directus then treats the redirect as a relative path)."""
    if not _SCHEME.match(url):
        return None
    url = H.whatwg_normalize(url)
    try:
        parts = urlsplit(url)
        hostname = (parts.hostname or "").lower()
        parts.port  # noqa: B018 - raises ValueError for a port new URL() refuses
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme in _SPECIAL:
        raw_host = parts.netloc.rpartition("@")[2]
        if raw_host.startswith("["):
            if not raw_host.partition("]")[0][1:] or "]" not in raw_host:
                return None
        else:
            raw_host = raw_host.rpartition(":")[0] if ":" in raw_host else raw_host
            if not raw_host or _FORBIDDEN_HOST.search(raw_host):
                return None
    return scheme + ":", hostname


def redirect_allowed(api: Directus, p: Provider, redirect: Any) -> bool:
    """``isLoginRedirectAllowed``: relative paths, PUBLIC_URL's origin, or the allow-list."""
    if not H.js_truthy(redirect):
        return True
    if not isinstance(redirect, str):
        return False
    target = _origin(redirect)
    if target is None:
        return not redirect.startswith("//")
    public = api.public_url()
    if p.redirect_allow_list is not None and url_allowed(
        redirect, [*p.redirect_allow_list, public]
    ):
        return True
    mine = _origin(public)
    return mine is not None and mine == target


def _redirect_param() -> Any:
    values = request.args.getlist("redirect")
    if not values:
        return None
    return values[0] if len(values) == 1 else values


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def start(api: Directus, ctx: Ctx, name: str) -> Response:
    p = _provider(api, name, SSO_DRIVERS)
    redirect = _redirect_param()
    if not redirect_allowed(api, p, redirect):
        raise E.invalid_payload(E.reason_login_redirect(H.js_string(redirect)))
    public = api.public_url()
    idp = f"{public}{IDP_PREFIX}/{p.name}"
    if p.driver == "saml":
        query = {"SAMLRequest": api.mock.rng.alnum(32)}
        if H.js_truthy(redirect):
            query["RelayState"] = H.js_string(redirect)
        return H.redirect_response(f"{idp}?{urlencode(query)}")
    verifier = api.mock.rng.nanoid(43)
    prompt = bool(request.args.get("prompt"))
    claims: dict[str, Any] = {"verifier": verifier}
    if redirect is not None:  # JSON.stringify drops an undefined redirect
        claims["redirect"] = redirect
    claims["prompt"] = prompt
    otp = request.args.get("otp")
    if otp is not None:
        claims["otp"] = otp
    claims["callbackUrl"] = f"{public}/auth/login/{p.name}/callback"
    now = int(api.svc.now)
    claims.update({"iat": now, "exp": now + 300, "iss": "directus"})
    token = api.mock.tokens.encode(claims)
    query = {
        "client_id": "authmock",
        "redirect_uri": f"{public}/auth/login/{p.name}/callback",
        "response_type": "code",
        "scope": "openid profile email" if p.driver == "openid" else "email",
        "code_challenge": _challenge(verifier),
        "code_challenge_method": "S256",
        "state": _challenge(verifier),
    }
    if prompt:
        query["prompt"] = "consent"
    response = H.redirect_response(f"{idp}?{urlencode(query)}")
    response.headers.add(
        "Set-Cookie",
        H.serialize_cookie(f"{p.driver}.{p.name}", token, now=api.svc.now, same_site="lax"),
    )
    return response


def _finish(api: Directus, ctx: Ctx, p: Provider, code: Any, redirect: Any,
            verifier: str | None, clear: str | None, otp: Any = None) -> Response:
    """Log in from an IdP code; set the cookie and redirect, or answer JSON without redirect."""
    mode = p.mode or "session"
    try:
        entry = api.svc.sso_codes.get(code) if isinstance(code, str) else None
        if (
            entry is None
            or entry["provider"] != p.name
            or entry["expires"] < api.svc.now
            or (
                verifier is not None
                and not constant_time_equals(entry["state"], _challenge(verifier))
            )
        ):
            raise E.invalid_credentials()
        api.svc.sso_codes.delete(code)
        user = api.svc.users.get(entry["user"])
        if user is not None:
            user = {**user, "provider": p.name}  # the IdP vouches for the user (see docs)
        # the ?otp= of the login URL travels in the state cookie: ...otp ? {otp: String(otp)} : {}
        code_otp = H.js_string(otp) if H.js_truthy(otp) else None
        issued = api.svc.login(p.name, user, user.get("password") if user else None, code_otp,
                               mode == "session", check_password=False)
    except E.DirectusError as err:
        if H.js_truthy(redirect):
            target = H.js_string(redirect).split("?")[0]
            response = H.redirect_response(f"{target}?reason={err.code}")
        else:
            response = api.error(err)
        if clear:
            response.headers.add("Set-Cookie", clear)
        return response
    if H.js_truthy(redirect):
        response = H.redirect_response(H.js_string(redirect))
        if clear:
            response.headers.add("Set-Cookie", clear)
        if mode == "session":
            response.headers.add("Set-Cookie", api.cookie("session", issued.access_token))
        else:
            response.headers.add("Set-Cookie", api.cookie("refresh", issued.refresh_token))
        return response
    response = api.ok(
        {"data": {"access_token": issued.access_token, "refresh_token": issued.refresh_token,
                  "expires": issued.expires_ms}},
        ctx,
    )
    if clear:
        response.headers.add("Set-Cookie", clear)
    return response


def callback(api: Directus, ctx: Ctx, name: str) -> Response:
    p = _provider(api, name, ("oauth2", "openid"))
    cookie_name = f"{p.driver}.{p.name}"
    raw = request.cookies.get(cookie_name)
    result = api.mock.tokens.verify(raw) if raw else None
    if result is None or not result.ok or result.claims.get("iss") != "directus":
        raise E.invalid_credentials()
    claims = result.claims
    clear = f"{cookie_name}=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT"
    verifier = claims.get("verifier") if isinstance(claims.get("verifier"), str) else ""
    return _finish(api, ctx, p, request.args.get("code"), claims.get("redirect"), verifier, clear,
                   claims.get("otp"))


def callback_post(api: Directus, ctx: Ctx, name: str) -> Response:
    p = _provider(api, name, ("oauth2", "openid"))
    del p
    fields = H.url_search_params(list(request.form.items(multi=True)))
    return H.redirect_response(f"./callback?{fields}", 303)


def saml_acs(api: Directus, ctx: Ctx, name: str) -> Response:
    p = _provider(api, name, ("saml",))
    relay = request.form.get("RelayState")
    return _finish(api, ctx, p, request.form.get("SAMLResponse"), relay, None, None)


# the fake identity provider ---------------------------------------------------------------
_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}}
button{{display:block;width:100%;margin:.4rem 0;padding:.6rem;font-size:1rem;cursor:pointer}}
small{{color:#666}}</style></head>
<body><h1>{title}</h1>
<p><small>authmock's stand-in identity provider for the Directus provider
<b>{provider}</b> ({driver}). Choose who you are; nothing is checked.</small></p>
{buttons}
<form method="post" action="{action}">{hidden}<button name="user" value="">Cancel</button></form>
</body></html>"""


def _idp_page(api: Directus, p: Provider) -> Response:
    hidden = "".join(
        f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
        for k, v in request.args.items()
    )
    action = html.escape(f"{p.name}/signin")
    buttons = "".join(
        f'<form method="post" action="{action}">{hidden}'
        f'<button name="user" value="{html.escape(u["id"])}">Sign in as {html.escape(u["email"])}'
        f'{"" if u.get("status") == "active" else " (" + html.escape(str(u.get("status"))) + ")"}'
        "</button></form>"
        for u in api.svc.users.values()
        if isinstance(u.get("email"), str)
    )
    body = _PAGE.format(
        title=f"Sign in with {html.escape(p.label or p.name)}",
        provider=html.escape(p.name), driver=html.escape(p.driver),
        buttons=buttons, action=action, hidden=hidden,
    )
    return Response(body, 200, content_type="text/html; charset=utf-8")


def _signin(api: Directus, p: Provider) -> Response:
    form = request.form
    user_id = form.get("user", "")
    public = api.public_url()
    if p.driver == "saml":
        target = f"{public}/auth/login/{p.name}/acs"
        fields = {"SAMLResponse": _new_code(api, p, user_id, "")}
        if form.get("RelayState"):
            fields["RelayState"] = form["RelayState"]
        inputs = "".join(
            f'<input type="hidden" name="{k}" value="{html.escape(v)}">' for k, v in fields.items()
        )
        page = (
            '<!doctype html><html><body onload="document.forms[0].submit()">'
            f'<form method="post" action="{html.escape(target)}">{inputs}'
            "<noscript><button>Continue</button></noscript></form></body></html>"
        )
        return Response(page, 200, content_type="text/html; charset=utf-8")
    # encoded like any URL put in a header, so a hostile form value cannot break the response
    redirect_uri = H.encode_url(
        form.get("redirect_uri") or f"{public}/auth/login/{p.name}/callback"
    )
    state = form.get("state", "")
    if not user_id:
        return Response(
            status=302,
            headers={
                "Location": redirect_uri + "?"
                + urlencode({"error": "access_denied", "state": state})
            },
        )
    code = _new_code(api, p, user_id, state)
    return Response(
        status=302,
        headers={"Location": f"{redirect_uri}?{urlencode({'code': code, 'state': state})}"},
    )


def _new_code(api: Directus, p: Provider, user_id: str, state: str) -> str:
    code = api.mock.rng.alnum(32)
    if user_id:
        api.svc.sso_codes.put(
            code,
            {
                "provider": p.name,
                "user": user_id,
                "state": state,
                "expires": api.svc.now + CODE_TTL,
            },
        )
    return code


def register_idp(app: Flask, api: Directus) -> None:
    def page(provider: str) -> Response:
        p = api.svc.provider(provider)
        if p is None or p.driver not in SSO_DRIVERS:
            return Response(
                f"no SSO provider {provider!r}", 404, content_type="text/plain; charset=utf-8"
            )
        return _idp_page(api, p)

    def signin(provider: str) -> Response:
        p = api.svc.provider(provider)
        if p is None or p.driver not in SSO_DRIVERS:
            return Response(
                f"no SSO provider {provider!r}", 404, content_type="text/plain; charset=utf-8"
            )
        return _signin(api, p)

    app.add_url_rule(f"{IDP_PREFIX}/<provider>", "directus_idp", page, methods=["GET"])
    app.add_url_rule(
        f"{IDP_PREFIX}/<provider>/signin", "directus_idp_signin", signin, methods=["POST"]
    )
