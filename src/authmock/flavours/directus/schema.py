"""The Directus fixture, declared once: validated by the core, published as JSON Schema.

Settings use Directus's own environment names; values are read as Directus reads them from a
JSON config file (``"true"`` is a boolean, ``"15m"`` a duration, ``regex:`` a pattern).
"""

from __future__ import annotations

import re
from typing import Any

from authmock.flavours.directus.accounts import filter_problem
from authmock.flavours.directus.config import (
    CORS_DEFAULTS,
    DRIVERS,
    SAME_SITE,
    USER_COLUMNS,
    USER_DEFAULTS,
    EnvCastError,
    env_cast,
    parse_ms,
    policy_pattern,
)
from authmock.flavours.directus.realtime_config import realtime_fields
from authmock.otp import is_valid_secret
from authmock.schema import (
    Field,
    FixtureSchema,
    ListOf,
    MapOf,
    Obj,
    Ref,
    Rule,
    Unique,
    Value,
    Verdict,
    above,
    at_least,
    one_of,
    shared_settings,
    type_problem,
)

USER_STATUSES = ("active", "invited", "draft", "suspended", "archived", "unverified")
OPERATORS = ("_eq", "_neq", "_in", "_nin", "_null", "_nnull")
_COOKIE_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_PROVIDER_NAME = re.compile(r"[A-Za-z0-9_-]+")
_ENV_BOOL = 'must be true, false, "true" or "false"'
_ORIGIN = "must be true, false, an origin or a list of origins"


def _duration_check(value: Any) -> Verdict:
    ms = parse_ms(value)
    if ms is None or ms < 0:
        return 'must be a duration such as "15m", "7d" or a number of ms'
    return None


def _duration(default: str, what: str) -> Field:
    return Field(Value(rules=[Rule(_duration_check, {"type": ["string", "number"]})]),
                 default=default, description=f'{what} ("15m", "7d" or a number of ms)')


def _env_bool(description: str, default: bool = False) -> Field:
    return Field(Value(bool, str, rules=[Rule(
        lambda v: None if isinstance(v, bool) or v.lower() in ("true", "false") else _ENV_BOOL)]),
        default=default, description=description)


def _regex_check(policy: Any) -> Verdict:
    if not policy:
        return None
    try:
        re.compile(policy_pattern(policy))
    except re.error as exc:
        return f"is not a valid regex: {exc}"
    return None


def _url_list_check(value: Any) -> Verdict:
    if isinstance(value, list):
        return [(f"[{i}]", type_problem(item, (str,)))
                for i, item in enumerate(value) if not isinstance(item, str)]
    return None


def _dicts_in(value: Any, suffix: str = "") -> list[tuple[str, str]]:
    if isinstance(value, dict):
        return [(suffix, _ORIGIN)]
    if isinstance(value, list):
        return [
            found for i, item in enumerate(value) for found in _dicts_in(item, f"{suffix}[{i}]")
        ]
    return []


def _cors_check(hint: str, origin: bool = False) -> Rule:
    """A CORS_* value as @directus/env casts it: strings, booleans or a list of those."""

    def check(value: Any) -> Verdict:
        if isinstance(value, list):
            bad = [(f"[{i}]", type_problem(item, (str, bool)))
                   for i, item in enumerate(value) if not isinstance(item, (str, bool))]
            if bad:
                return bad
        elif value is not None and not isinstance(value, (str, bool)):
            return hint
        try:
            cast = env_cast(value)
        except EnvCastError as exc:
            return f"is not a valid regex: {exc}"
        return (_dicts_in(cast) or None) if origin else None

    return Rule(check)


def _max_age_check(value: Any) -> Verdict:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        cast: Any = value
    elif isinstance(value, (str, bool)) or value is None:
        cast = env_cast(value)
    else:
        cast = None
    number = isinstance(cast, (int, float)) and not isinstance(cast, bool) and cast == cast
    if (number and cast >= 0) or cast is False or cast is None or cast == "":
        return None
    return "must be a number of seconds (or false for none)"


_LISTS = "must be a comma-separated string, a list of strings or false"


def _cookie(prefix: str, what: str, name: str) -> dict[str, Field]:
    return {
        f"{prefix}_NAME": Field(Value(str, rules=[Rule(
            lambda n: None if n and _COOKIE_NAME.fullmatch(n) else "must be a valid cookie name"
        )]), default=name, description=f"name of the {what} cookie"),
        f"{prefix}_SECURE": _env_bool(f"Secure flag of the {what} cookie"),
        f"{prefix}_SAME_SITE": Field(Value(str, rules=[Rule(
            lambda v: None if (v or "strict").lower() in SAME_SITE
            else 'must be "lax", "strict" or "none"')]), default="lax",
            description="lax, strict or none"),
        f"{prefix}_DOMAIN": Field(Value(str, None), default=None),
    }


_DECLARED_SETTINGS: dict[str, Field] = {
    **shared_settings(),
    "ACCESS_TOKEN_TTL": _duration("15m", "access token lifetime"),
    "REFRESH_TOKEN_TTL": _duration("7d", "refresh token lifetime"),
    "SESSION_COOKIE_TTL": _duration("1d", "session cookie lifetime"),
    "SESSION_REFRESH_GRACE_PERIOD": _duration("10s", "grace period of a replaced session"),
    "LOGIN_STALL_TIME": _duration("500ms", "login stall with realistic_timing"),
    **_cookie("REFRESH_TOKEN_COOKIE", "refresh token", "directus_refresh_token"),
    **_cookie("SESSION_COOKIE", "session", "directus_session_token"),
    "PASSWORD_RESET_URL_ALLOW_LIST": Field(
        Value(list, str, None, rules=[Rule(_url_list_check)]), default=None,
        description="URLs a reset link may point to (comma-separated or a list; null: "
        "not set, every URL refused)"),
    "PUBLIC_URL": Field(Value(str, None), default=None),
    "AUTH_DISABLE_DEFAULT": _env_bool("turn off e-mail/password login"),
    "RATE_LIMITER_ENABLED": _env_bool("turn on the request rate limiter"),
    "RATE_LIMITER_POINTS": Field(Value(int, rules=[at_least(1, "must be at least 1")]),
                                 default=50, description="requests per duration"),
    "RATE_LIMITER_DURATION": Field(
        Value(float, rules=[above(0, "must be a positive number of seconds")]),
        default=1, description="seconds"),
    "auth_login_attempts": Field(Value(int, None, rules=[at_least(
        0, "must be null or a number ≥ 0")]), default=25,
        description="failed logins before suspension"),
    "auth_password_policy": Field(Value(str, None, rules=[Rule(_regex_check)]), default=None,
                                  description="regex a new password must match"),
    "CORS_ENABLED": _env_bool("mount the cors middleware"),
    "CORS_ORIGIN": Field(Value(rules=[_cors_check(
        'must be true, false, "*", an origin, a comma-separated list or a list of origins',
        origin=True)]), description="true, false, an origin, a list or a regex: value"),
    "CORS_METHODS": Field(Value(rules=[_cors_check(_LISTS)])),
    "CORS_ALLOWED_HEADERS": Field(Value(rules=[_cors_check(_LISTS)])),
    "CORS_EXPOSED_HEADERS": Field(Value(rules=[_cors_check(_LISTS)])),
    "CORS_CREDENTIALS": _env_bool("Access-Control-Allow-Credentials"),
    "CORS_MAX_AGE": Field(Value(rules=[Rule(_max_age_check)]), default=None,
                          description="seconds (or false for none)"),
}
for _key, _default in CORS_DEFAULTS.items():
    _DECLARED_SETTINGS[_key].default = _default


def _role_keys(role: dict[str, Any]) -> list[Any]:
    return [role["id"], role["name"]]


_ACCOUNT_SETTINGS: dict[str, Field] = {  # accounts.py reads them
    "project_name": Field(Value(str), default="Directus"),
    "public_registration": _env_bool("let anyone register (POST /users/register)"),
    "public_registration_verify_email": _env_bool(
        "registrations wait for the e-mailed link", default=True),
    "public_registration_role": Field(Value(str, None, ref=Ref(
        "roles", _role_keys, "no role with id or name {value!r}")), default=None,
        description="role id or name registered users get"),
    "public_registration_email_filter": Field(Value(dict, None, rules=[Rule(
        lambda f: None if f is None else filter_problem(f))]), default=None,
        description='a filter on the e-mail, e.g. {"email": {"_ends_with": "@example.com"}}'),
    "USER_INVITE_TOKEN_TTL": _duration("7d", "invitation link lifetime"),
    "EMAIL_VERIFICATION_TOKEN_TTL": _duration("7d", "verification link lifetime"),
    "USER_INVITE_URL_ALLOW_LIST": Field(Value(list, str, None, rules=[Rule(_url_list_check)]),
                                        default=None),
    "USER_REGISTER_URL_ALLOW_LIST": Field(Value(list, str, None, rules=[Rule(_url_list_check)]),
                                          default=None),
    "RATE_LIMITER_REGISTRATION_ENABLED": _env_bool("limit registrations", default=True),
    "RATE_LIMITER_REGISTRATION_POINTS": Field(
        Value(int, rules=[at_least(1, "must be at least 1")]), default=5),
    "RATE_LIMITER_REGISTRATION_DURATION": Field(
        Value(float, rules=[above(0, "must be a positive number of seconds")]), default=60),
    "REGISTER_STALL_TIME": _duration("750ms", "registration stall with realistic_timing"),
}
_DECLARED_SETTINGS.update(_ACCOUNT_SETTINGS)
_DECLARED_SETTINGS.update(realtime_fields())  # WEBSOCKETS_* (realtime.py reads them)
#: every setting config.py and accounts.py read, declared once
SETTINGS = Obj(_DECLARED_SETTINGS)


FILTER = MapOf(Obj({op: Field(Value()) for op in OPERATORS},
                   unknown=f"unknown operator (supported: {', '.join(OPERATORS)})"))
PERMISSIONS = MapOf(Obj({
    "fields": Field(ListOf(Value(str)), default=["*"]),
    "filter": Field(FILTER, default={}),
    "update": Field(ListOf(Value(str)),
                    description="fields of their own directus_users row the role may update"),
}), description="collection -> {fields, filter, update}")


ROLE = Obj({
    "id": Field(Value(str), required=True),
    "name": Field(Value(str), required=True),
    "admin_access": Field(Value(bool), default=False),
    "app_access": Field(Value(bool), default=False),
    "permissions": Field(PERMISSIONS, default={}),
    "icon": Field(Value(str), default="supervised_user_circle"),
    "description": Field(Value(str, None), default=None),
    "parent": Field(Value(str, None, ref=Ref(
        "roles", lambda role: [role["id"]], "must be the id of another role")), default=None),
    "policies": Field(ListOf(Value(str)), default=[], description="directus_access ids"),
})

PROVIDER = Obj({
    "name": Field(Value(str, rules=[Rule(
        lambda n: None if _PROVIDER_NAME.fullmatch(n) and n != "default"
        else 'must be letters, digits, _ or - (and not "default")')]), required=True),
    "driver": Field(Value(str, rules=[one_of(DRIVERS)]), required=True),
    "label": Field(Value(str, None), default=None),
    "icon": Field(Value(str, None), default=None),
    "mode": Field(Value(str, None, rules=[Rule(
        lambda m: None if m in (None, "json", "cookie", "session")
        else 'must be "json", "cookie" or "session"')]), default=None),
    "redirect_allow_list": Field(Value(list, str, None, rules=[Rule(_url_list_check)]),
                                 default=None),
})

_USER_FIELDS: dict[str, Field] = {
    column: Field(Value(), default=USER_DEFAULTS.get(column))
    for column in USER_COLUMNS if column != "last_access"
}
_USER_FIELDS.update({
    "id": Field(Value(str), required=True),
    "email": Field(Value(str, None), default=None),
    "password": Field(Value(str, None), default=None, description="plain text (a test double)"),
    "status": Field(Value(str, rules=[one_of(USER_STATUSES)]), default="active"),
    "role": Field(Value(str, None, ref=Ref(
        "roles", _role_keys, "no role with id or name {value!r}")), default=None,
        description="role id or name"),
    "provider": Field(Value(str, ref=Ref(
        "providers", lambda p: [p["name"]], "no provider named {value!r} in $.providers",
        allow=("default",))), default="default"),
    "token": Field(Value(str, None), default=None, description="static token"),
    "tfa_secret": Field(Value(str, None, rules=[Rule(
        lambda s: None if s is None or is_valid_secret(s) else "must be a base32 TOTP secret")]),
        default=None),
})
USER = Obj({column: _USER_FIELDS[column] for column in USER_COLUMNS if column in _USER_FIELDS})

ITEM = Obj({"id": Field(Value(int, str), required=True)}, extra=Value())

SCHEMA = FixtureSchema(
    flavour="directus",
    description="A Directus fixture for authmock: settings (Directus's env names), roles, "
    "public permissions, users, SSO providers and collection items.",
    sections={
        "settings": Field(SETTINGS, default={}),
        "roles": Field(ListOf(ROLE, unique=[
            Unique(lambda role: role["id"], "duplicate role id or name", ".id"),
            Unique(lambda role: role["name"], "duplicate role id or name", ".id"),
        ]), default=[]),
        "public": Field(Obj({"permissions": Field(PERMISSIONS, default={})}), default={}),
        "providers": Field(ListOf(PROVIDER, unique=[
            Unique(lambda p: p["name"], "duplicate provider name", ".name")]), default=[]),
        "users": Field(ListOf(USER, unique=[
            Unique(lambda user: user["id"], "duplicate user id", ".id"),
            Unique(lambda user: user["email"].lower() if user["email"] is not None else None,
                   "duplicate e-mail (Directus compares them case-insensitively)", ".email"),
            Unique(lambda user: user["token"], "duplicate static token", ".token"),
        ]), default=[]),
        "collections": Field(MapOf(
            ListOf(ITEM, unique=[Unique(lambda item: str(item["id"]), "duplicate id", ".id")]),
            key_rules=[Rule(lambda name: "system collections (directus_*) cannot be fixtures"
                            if name.startswith("directus_") else None)],
        ), default={}, description="collection name -> items (each with an id)"),
    },
    overlay_keys={
        "roles": lambda role: role.get("name"),
        "providers": lambda provider: provider.get("name"),
        "users": lambda user: str(user.get("email") or "").lower() or None,
    },
)
