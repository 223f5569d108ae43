"""The Directus fixture format: settings under Directus's own env names, roles, users, data.

Validation names the JSON path of the first problem so a user can fix the file without reading
this code. Durations accept the ``ms`` library's notation Directus uses (``"15m"``, ``"7d"``)
or a number of milliseconds.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from authmock.fixtures import FixtureFile
from authmock.flavours.directus.realtime_config import REALTIME_KEYS, RealtimeSettings
from authmock.flavours.directus.realtime_config import parse_settings as parse_realtime
from authmock.otp import is_valid_secret

_MS = re.compile(
    r"^(-?(?:\d+)?\.?\d+) *(milliseconds?|msecs?|ms|seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d|weeks?|w|years?|yrs?|y)?$",
    re.IGNORECASE,
)
_MS_UNITS = {
    "y": 31557600000.0, "w": 604800000.0, "d": 86400000.0, "h": 3600000.0,
    "m": 60000.0, "s": 1000.0, "ms": 1.0,
}

USER_STATUSES = ("active", "invited", "draft", "suspended", "archived", "unverified")
SSO_DRIVERS = ("oauth2", "openid", "saml")
DRIVERS = (*SSO_DRIVERS, "ldap", "local")
SAME_SITE = ("lax", "strict", "none")

#: directus_users columns in the order Directus 11.17.4 returns them (reference §8)
USER_COLUMNS = (
    "id", "first_name", "last_name", "email", "password", "location", "title", "description",
    "tags", "avatar", "language", "tfa_secret", "status", "role", "token", "last_access",
    "last_page", "provider", "external_identifier", "auth_data", "email_notifications",
    "appearance", "theme_dark", "theme_light", "theme_light_overrides", "theme_dark_overrides",
    "text_direction", "policies",
)
USER_DEFAULTS: dict[str, Any] = {
    "status": "active", "provider": "default", "email_notifications": True,
    "text_direction": "auto", "policies": [],
}
CONCEALED = ("password", "tfa_secret", "token")

_SETTINGS = {
    "profile", "realistic_timing", "seed", "jwt_secret", "cors_origins",
    "ACCESS_TOKEN_TTL", "REFRESH_TOKEN_TTL", "SESSION_COOKIE_TTL",
    "SESSION_REFRESH_GRACE_PERIOD", "LOGIN_STALL_TIME",
    "REFRESH_TOKEN_COOKIE_NAME", "REFRESH_TOKEN_COOKIE_SECURE", "REFRESH_TOKEN_COOKIE_SAME_SITE",
    "REFRESH_TOKEN_COOKIE_DOMAIN", "SESSION_COOKIE_NAME", "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_SAME_SITE", "SESSION_COOKIE_DOMAIN", "PASSWORD_RESET_URL_ALLOW_LIST",
    "PUBLIC_URL", "AUTH_DISABLE_DEFAULT", "RATE_LIMITER_ENABLED", "RATE_LIMITER_POINTS",
    "RATE_LIMITER_DURATION", "auth_login_attempts", "auth_password_policy",
    "CORS_ENABLED", "CORS_ORIGIN", "CORS_METHODS", "CORS_ALLOWED_HEADERS", "CORS_EXPOSED_HEADERS",
    "CORS_CREDENTIALS", "CORS_MAX_AGE",
    *REALTIME_KEYS,
}

#: Directus's CORS_* defaults (packages/env constants/defaults.ts); CORS_ORIGIN false means the
#: cors package is mounted but does nothing, so CORS_ENABLED alone changes no answer
CORS_DEFAULTS: dict[str, Any] = {
    "CORS_ENABLED": False,
    "CORS_ORIGIN": False,
    "CORS_METHODS": "GET,POST,PATCH,DELETE",
    "CORS_ALLOWED_HEADERS": "Content-Type,Authorization",
    "CORS_EXPOSED_HEADERS": "Content-Range",
    "CORS_CREDENTIALS": True,
    "CORS_MAX_AGE": 18000,
}
#: the cast flags of @directus/env (``regex:^https://.*$``, ``array:a,b``, ...)
ENV_TYPES = ("string", "number", "regex", "array", "json", "boolean")
_JS_NUMBER = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")
_JS_INT_PREFIXED = re.compile(r"^0([xX][0-9a-fA-F]+|[oO][0-7]+|[bB][01]+)$")
_MAX_SAFE_INTEGER = 2**53 - 1


def parse_ms(value: Any) -> float | None:
    """Milliseconds from the ``ms`` library's notation (or a number of ms); None if invalid."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        match = _MS.match(value.strip())
        if match:
            unit = (match.group(2) or "ms").lower()
            key = "ms" if unit.startswith(("ms", "msec", "milli")) else unit[0]
            return float(match.group(1)) * _MS_UNITS[key]
    return None


class EnvCastError(ValueError):
    """A ``regex:`` value ``new RegExp`` would refuse (Directus would not start)."""


def js_number(text: str) -> float | None:
    """``Number(text)`` for a string (None for NaN): trimmed, ``""`` is 0, hex/octal/binary."""
    stripped = text.strip(" \t\n\r\v\f\u00a0\ufeff\u2028\u2029")
    if stripped == "":
        return 0.0
    if stripped in ("Infinity", "+Infinity", "-Infinity"):
        return float(stripped.replace("Infinity", "inf"))
    prefixed = _JS_INT_PREFIXED.match(stripped)
    if prefixed:
        return float(int(prefixed.group(0), 0))
    if _JS_NUMBER.match(stripped):
        return float(stripped)
    return None


def _number(value: float) -> int | float:
    return int(value) if value.is_integer() and abs(value) <= _MAX_SAFE_INTEGER else value


def _try_json(text: str) -> Any:
    def refuse(constant: str) -> Any:  # JSON.parse knows no NaN / Infinity
        raise ValueError(constant)

    try:
        return json.loads(text, parse_constant=refuse)
    except ValueError:
        return text


def env_cast(value: Any) -> Any:
    """@directus/env's ``cast`` for a variable without a declared type (the CORS_* ones):
    a ``type:`` flag, else the guessed type — ``"true"``/``"false"``, a number that does not
    start with ``0``, a comma list (split on every comma, items cast alike, empty ones
    dropped, nothing trimmed), else JSON if it parses, else the string itself. A value from a
    JSON fixture is read as Directus reads one from a JSON config file: the same way."""
    kind: str | None = None
    if isinstance(value, str) and ":" in value and value.split(":", 1)[0] in ENV_TYPES:
        kind = value.split(":", 1)[0]
        value = value[len(kind) + 1:]
    if kind is None:
        kind = _guess_type(value)
    if kind == "string":
        return _js_text(value)
    if kind == "number":
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return value
        number = js_number(_js_text(value)) if value is not None else 0.0
        return float("nan") if number is None else _number(number)
    if kind == "boolean":
        return value is True or value == "true" or value == "1" or (value == 1 and value is not True)
    if kind == "regex":
        try:
            return re.compile(_js_text(value))
        except re.error as exc:
            raise EnvCastError(str(exc)) from None
    if kind == "array":
        items = value.split(",") if isinstance(value, str) else value if isinstance(value, list) else [value]
        return [item for item in (env_cast(v) for v in items) if item != ""]
    if isinstance(value, str):  # json
        return _try_json(value)
    return value


def _guess_type(value: Any) -> str:
    if isinstance(value, bool) or value in ("true", "false"):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str) and value and not value.startswith("0"):
        number = js_number(value)
        if number is not None and -_MAX_SAFE_INTEGER <= number <= _MAX_SAFE_INTEGER:
            return "number"
    if isinstance(value, list) or (isinstance(value, str) and "," in value):
        return "array"
    return "json"


def _js_text(value: Any) -> str:
    """``String(value)`` of a cast value, as ``Array.prototype.join`` writes its items."""
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, float):
        if value != value:
            return "NaN"
        if value in (float("inf"), float("-inf")):
            return "Infinity" if value > 0 else "-Infinity"
        return str(_number(value))
    if isinstance(value, re.Pattern):
        return f"/{value.pattern}/"
    if isinstance(value, list):
        return ",".join(_js_text(item) for item in value)
    if isinstance(value, dict):
        return "[object Object]"
    return str(value)


def _js_truthy(value: Any) -> bool:
    if value is None or value is False or value == "":
        return False
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value != 0 and value == value
    return True


@dataclass
class CorsSettings:
    """The options Directus's ``middleware/cors.ts`` hands to the ``cors`` package, after
    @directus/env cast the CORS_* values."""

    enabled: bool = False
    #: bool, a string (``"*"`` or one fixed origin), a compiled ``regex:``, a number, or a
    #: list of those; falsy means the cors middleware does nothing at all
    origin: Any = False
    #: Access-Control-Allow-Methods (preflight only); None: not sent
    methods: str | None = "GET,POST,PATCH,DELETE"
    #: Access-Control-Allow-Headers; None: reflect Access-Control-Request-Headers
    allowed_headers: str | None = "Content-Type,Authorization"
    exposed_headers: str | None = "Content-Range"
    credentials: bool = True
    max_age: str | None = "18000"

    @property
    def active(self) -> bool:
        return self.enabled and _js_truthy(self.origin)


def fake_password_hash(seed: str) -> str:
    """Stands for the stored argon2 hash: the reset token's single-use ``hash`` is derived
    from it, so it must change whenever the password does."""
    digest = hashlib.sha256(seed.encode("utf-8")).digest().hex()
    return f"$argon2id$v=19$m=65536,t=3,p=4${digest[:22]}${digest[22:]}"


@dataclass
class Settings:
    access_ttl_ms: float = 900000.0
    refresh_ttl_ms: float = 604800000.0
    session_ttl_ms: float = 86400000.0
    grace_ms: float = 10000.0
    login_stall_ms: float = 500.0
    refresh_cookie_name: str = "directus_refresh_token"
    refresh_cookie_secure: bool = False
    refresh_cookie_same_site: str = "lax"
    refresh_cookie_domain: str | None = None
    session_cookie_name: str = "directus_session_token"
    session_cookie_secure: bool = False
    session_cookie_same_site: str = "lax"
    session_cookie_domain: str | None = None
    reset_allow_list: list[str] | None = None
    public_url: str | None = None
    disable_default: bool = False
    rate_limiter_enabled: bool = False
    rate_limiter_points: int = 50
    rate_limiter_duration: float = 1.0
    login_attempts: int | None = 25
    password_policy: str | None = None
    cors: CorsSettings = field(default_factory=CorsSettings)
    realtime: RealtimeSettings = field(default_factory=RealtimeSettings)


@dataclass
class Provider:
    name: str
    driver: str
    label: str | None = None
    icon: str | None = None
    mode: str | None = None
    redirect_allow_list: list[str] | None = None


@dataclass
class Role:
    id: str
    name: str
    admin_access: bool
    app_access: bool
    permissions: dict[str, dict[str, Any]]
    #: directus_roles columns (``icon`` defaults as the column does)
    icon: str = "supervised_user_circle"
    description: str | None = None
    parent: str | None = None
    #: ids of the role's directus_access rows (the ``policies`` o2m alias)
    policies: list[str] = field(default_factory=list)


@dataclass
class Seed:
    settings: Settings
    roles: dict[str, Role]
    public_permissions: dict[str, dict[str, Any]]
    users: dict[str, dict[str, Any]]
    collections: dict[str, list[dict[str, Any]]]
    providers: list[Provider] = field(default_factory=list)


def _bool(fixture: FixtureFile, settings: dict[str, Any], key: str, default: bool) -> bool:
    """A boolean, or the env spelling ``"true"`` / ``"false"`` Directus casts to one."""
    value: Any = fixture.get(settings, key, (bool, str), "$.settings", default=default)
    if isinstance(value, str):
        if value.lower() not in ("true", "false"):
            raise fixture.error(f"$.settings.{key}", 'must be true, false, "true" or "false"')
        return value.lower() == "true"
    return bool(value)


def _duration(fixture: FixtureFile, settings: dict[str, Any], key: str, default: float) -> float:
    if key not in settings:
        return default
    value = parse_ms(settings[key])
    if value is None or value < 0:
        raise fixture.error(
            f"$.settings.{key}", 'must be a duration such as "15m", "7d" or a number of ms'
        )
    return value


def _url_list(fixture: FixtureFile, value: Any, path: str) -> list[str]:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    items: list[Any] = fixture.expect(value, (list, str), path)
    for index, item in enumerate(items):
        fixture.expect(item, str, f"{path}[{index}]")
    return list(items)


def parse_settings(fixture: FixtureFile) -> Settings:
    raw = fixture.settings
    fixture.only_keys(raw, _SETTINGS, "$.settings")
    out = Settings()
    out.access_ttl_ms = _duration(fixture, raw, "ACCESS_TOKEN_TTL", out.access_ttl_ms)
    out.refresh_ttl_ms = _duration(fixture, raw, "REFRESH_TOKEN_TTL", out.refresh_ttl_ms)
    out.session_ttl_ms = _duration(fixture, raw, "SESSION_COOKIE_TTL", out.session_ttl_ms)
    out.grace_ms = _duration(fixture, raw, "SESSION_REFRESH_GRACE_PERIOD", out.grace_ms)
    out.login_stall_ms = _duration(fixture, raw, "LOGIN_STALL_TIME", out.login_stall_ms)
    for prefix, attr in (("REFRESH_TOKEN_COOKIE", "refresh_cookie"), ("SESSION_COOKIE", "session_cookie")):
        name = fixture.get(raw, f"{prefix}_NAME", str, "$.settings", default=getattr(out, f"{attr}_name"))
        if not name or not re.fullmatch(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+", name):
            raise fixture.error(f"$.settings.{prefix}_NAME", "must be a valid cookie name")
        setattr(out, f"{attr}_name", name)
        setattr(out, f"{attr}_secure", _bool(fixture, raw, f"{prefix}_SECURE", False))
        same_site = fixture.get(raw, f"{prefix}_SAME_SITE", str, "$.settings", default="lax")
        same_site = same_site or "strict"  # constants.ts: env value || 'strict'
        if same_site.lower() not in SAME_SITE:
            raise fixture.error(f"$.settings.{prefix}_SAME_SITE", 'must be "lax", "strict" or "none"')
        setattr(out, f"{attr}_same_site", same_site.lower())
        domain: Any = fixture.get(raw, f"{prefix}_DOMAIN", (str, type(None)), "$.settings", default=None)
        setattr(out, f"{attr}_domain", domain or None)
    if "PASSWORD_RESET_URL_ALLOW_LIST" in raw:
        out.reset_allow_list = _url_list(
            fixture, raw["PASSWORD_RESET_URL_ALLOW_LIST"], "$.settings.PASSWORD_RESET_URL_ALLOW_LIST"
        )
    public_url: Any = fixture.get(raw, "PUBLIC_URL", (str, type(None)), "$.settings", default=None)
    out.public_url = public_url.rstrip("/") if public_url else None
    out.disable_default = _bool(fixture, raw, "AUTH_DISABLE_DEFAULT", False)
    out.rate_limiter_enabled = _bool(fixture, raw, "RATE_LIMITER_ENABLED", False)
    points = fixture.get(raw, "RATE_LIMITER_POINTS", int, "$.settings", default=50)
    if points < 1:
        raise fixture.error("$.settings.RATE_LIMITER_POINTS", "must be at least 1")
    out.rate_limiter_points = points
    duration: Any = fixture.get(raw, "RATE_LIMITER_DURATION", (int, float), "$.settings", default=1)
    if duration <= 0:
        raise fixture.error("$.settings.RATE_LIMITER_DURATION", "must be a positive number of seconds")
    out.rate_limiter_duration = float(duration)
    attempts: Any = fixture.get(raw, "auth_login_attempts", (int, type(None)), "$.settings", default=25)
    if attempts is not None and attempts < 0:
        raise fixture.error("$.settings.auth_login_attempts", "must be null or a number ≥ 0")
    out.login_attempts = attempts
    policy: Any = fixture.get(raw, "auth_password_policy", (str, type(None)), "$.settings", default=None)
    if policy:
        try:
            re.compile(policy_pattern(policy))
        except re.error as exc:
            raise fixture.error("$.settings.auth_password_policy", f"is not a valid regex: {exc}") from None
    out.password_policy = policy or None
    out.cors = parse_cors(fixture, raw)
    out.realtime = parse_realtime(fixture, raw)
    return out


def _joined(value: Any) -> str | None:
    """What the cors package writes for a list option (joined with ``,``) or a string; None
    for a falsy option, "" for a value it cannot write (a number has no ``length``)."""
    if not _js_truthy(value):
        return None
    if isinstance(value, list):
        return ",".join(_js_text(item) for item in value)
    return value if isinstance(value, str) else ""


def _no_dicts(fixture: FixtureFile, value: Any, path: str) -> None:
    if isinstance(value, dict):
        raise fixture.error(path, "must be true, false, an origin or a list of origins")
    if isinstance(value, list):
        for index, item in enumerate(value):
            _no_dicts(fixture, item, f"{path}[{index}]")


def _cors_value(fixture: FixtureFile, raw: dict[str, Any], key: str, path_hint: str) -> Any:
    """A CORS_* value cast as @directus/env casts it, with its JSON path on every problem."""
    path = f"$.settings.{key}"
    value = raw.get(key, CORS_DEFAULTS[key])
    if isinstance(value, list):
        for index, item in enumerate(value):
            fixture.expect(item, (str, bool), f"{path}[{index}]")
    elif value is not None and not isinstance(value, (str, bool)):
        raise fixture.error(path, path_hint)
    try:
        return env_cast(value)
    except EnvCastError as exc:
        raise fixture.error(path, f"is not a valid regex: {exc}") from None


def parse_cors(fixture: FixtureFile, raw: dict[str, Any]) -> CorsSettings:
    out = CorsSettings()
    out.enabled = _bool(fixture, raw, "CORS_ENABLED", CORS_DEFAULTS["CORS_ENABLED"])
    out.credentials = _bool(fixture, raw, "CORS_CREDENTIALS", CORS_DEFAULTS["CORS_CREDENTIALS"])
    origin = _cors_value(
        fixture, raw, "CORS_ORIGIN",
        'must be true, false, "*", an origin, a comma-separated list or a list of origins',
    )
    _no_dicts(fixture, origin, "$.settings.CORS_ORIGIN")
    out.origin = origin
    lists = 'must be a comma-separated string, a list of strings or false'
    methods = _joined(_cors_value(fixture, raw, "CORS_METHODS", lists))
    out.methods = methods or None
    out.allowed_headers = _joined(_cors_value(fixture, raw, "CORS_ALLOWED_HEADERS", lists))
    out.exposed_headers = _joined(_cors_value(fixture, raw, "CORS_EXPOSED_HEADERS", lists)) or None
    max_age: Any = raw.get("CORS_MAX_AGE", CORS_DEFAULTS["CORS_MAX_AGE"])
    if isinstance(max_age, (int, float)) and not isinstance(max_age, bool):
        cast: Any = max_age
    elif isinstance(max_age, (str, bool)) or max_age is None:
        cast = env_cast(max_age)
    else:
        cast = None
    number = isinstance(cast, (int, float)) and not isinstance(cast, bool) and cast == cast
    if number and cast >= 0:
        out.max_age = _js_text(float(cast))  # cors: (typeof maxAge === 'number' || maxAge) && toString()
    elif cast is False or cast is None or cast == "":
        out.max_age = None
    else:
        raise fixture.error("$.settings.CORS_MAX_AGE", "must be a number of seconds (or false for none)")
    return out


def policy_pattern(policy: str) -> str:
    """Directus accepts the policy with or without a ``/…/`` wrapper."""
    if len(policy) >= 2 and policy.startswith("/") and policy.endswith("/"):
        return policy[1:-1]
    return policy


def _permissions(fixture: FixtureFile, value: Any, path: str) -> dict[str, dict[str, Any]]:
    perms = fixture.expect(value, dict, path)
    out: dict[str, dict[str, Any]] = {}
    for collection, rule in perms.items():
        rpath = f"{path}.{collection}"
        fixture.expect(rule, dict, rpath)
        fixture.only_keys(rule, {"fields", "filter"}, rpath)
        fields = fixture.get(rule, "fields", list, rpath, default=["*"])
        for index, name in enumerate(fields):
            fixture.expect(name, str, f"{rpath}.fields[{index}]")
        filt = fixture.get(rule, "filter", dict, rpath, default={})
        for key, cond in filt.items():
            fixture.expect(cond, dict, f"{rpath}.filter.{key}")
            for op in cond:
                if op not in ("_eq", "_neq", "_in", "_nin", "_null", "_nnull"):
                    raise fixture.error(
                        f"{rpath}.filter.{key}.{op}",
                        "unknown operator (supported: _eq, _neq, _in, _nin, _null, _nnull)",
                    )
        out[collection] = {"fields": list(fields), "filter": dict(filt)}
    return out


def parse_fixture(fixture: FixtureFile) -> Seed:
    data = fixture.data
    fixture.only_keys(
        data, {"flavour", "settings", "roles", "public", "users", "collections", "providers"}, "$"
    )
    settings = parse_settings(fixture)

    roles: dict[str, Role] = {}
    for index, raw in enumerate(fixture.get(data, "roles", list, "$", default=[])):
        path = f"$.roles[{index}]"
        fixture.expect(raw, dict, path)
        fixture.only_keys(
            raw,
            {"id", "name", "admin_access", "app_access", "permissions", "icon", "description",
             "parent", "policies"},
            path,
        )
        policies = fixture.get(raw, "policies", list, path, default=[])
        for pindex, access in enumerate(policies):
            fixture.expect(access, str, f"{path}.policies[{pindex}]")
        role = Role(
            id=fixture.get(raw, "id", str, path),
            name=fixture.get(raw, "name", str, path),
            admin_access=fixture.get(raw, "admin_access", bool, path, default=False),
            app_access=fixture.get(raw, "app_access", bool, path, default=False),
            permissions=_permissions(fixture, raw.get("permissions", {}), f"{path}.permissions"),
            icon=fixture.get(raw, "icon", str, path, default="supervised_user_circle"),
            description=fixture.get(raw, "description", (str, type(None)), path, default=None),
            parent=fixture.get(raw, "parent", (str, type(None)), path, default=None),
            policies=list(policies),
        )
        if role.id in roles or any(r.name == role.name for r in roles.values()):
            raise fixture.error(f"{path}.id", "duplicate role id or name")
        roles[role.id] = role
    for index, role in enumerate(roles.values()):
        if role.parent is not None and role.parent not in roles:
            raise fixture.error(f"$.roles[{index}].parent", "must be the id of another role")

    public_raw = fixture.get(data, "public", dict, "$", default={})
    fixture.only_keys(public_raw, {"permissions"}, "$.public")
    public_permissions = _permissions(fixture, public_raw.get("permissions", {}), "$.public.permissions")

    providers: list[Provider] = []
    for index, raw in enumerate(fixture.get(data, "providers", list, "$", default=[])):
        path = f"$.providers[{index}]"
        fixture.expect(raw, dict, path)
        fixture.only_keys(raw, {"name", "driver", "label", "icon", "mode", "redirect_allow_list"}, path)
        name = fixture.get(raw, "name", str, path)
        if not re.fullmatch(r"[A-Za-z0-9_-]+", name) or name == "default":
            raise fixture.error(f"{path}.name", "must be letters, digits, _ or - (and not \"default\")")
        if any(p.name == name for p in providers):
            raise fixture.error(f"{path}.name", "duplicate provider name")
        driver = fixture.get(raw, "driver", str, path)
        if driver not in DRIVERS:
            raise fixture.error(f"{path}.driver", f"must be one of {', '.join(DRIVERS)}")
        mode: Any = fixture.get(raw, "mode", (str, type(None)), path, default=None)
        if mode is not None and mode not in ("json", "cookie", "session"):
            raise fixture.error(f"{path}.mode", 'must be "json", "cookie" or "session"')
        allow = raw.get("redirect_allow_list")
        providers.append(
            Provider(
                name=name,
                driver=driver,
                label=fixture.get(raw, "label", (str, type(None)), path, default=None),
                icon=fixture.get(raw, "icon", (str, type(None)), path, default=None),
                mode=mode,
                redirect_allow_list=(
                    _url_list(fixture, allow, f"{path}.redirect_allow_list") if allow is not None else None
                ),
            )
        )
    provider_names = {p.name for p in providers}

    users: dict[str, dict[str, Any]] = {}
    emails: set[str] = set()
    tokens: set[str] = set()
    allowed = set(USER_COLUMNS) - {"last_access"}
    for index, raw in enumerate(fixture.get(data, "users", list, "$", default=[])):
        path = f"$.users[{index}]"
        fixture.expect(raw, dict, path)
        fixture.only_keys(raw, allowed, path)
        user_id = fixture.get(raw, "id", str, path)
        if user_id in users:
            raise fixture.error(f"{path}.id", "duplicate user id")
        email: Any = fixture.get(raw, "email", (str, type(None)), path, default=None)
        if email is not None:
            if email.lower() in emails:
                raise fixture.error(f"{path}.email", "duplicate e-mail (Directus compares them case-insensitively)")
            emails.add(email.lower())
        password: Any = fixture.get(raw, "password", (str, type(None)), path, default=None)
        status = fixture.get(raw, "status", str, path, default="active")
        if status not in USER_STATUSES:
            raise fixture.error(f"{path}.status", f"must be one of {', '.join(USER_STATUSES)}")
        role_ref: Any = fixture.get(raw, "role", (str, type(None)), path, default=None)
        role_id = None
        if role_ref is not None:
            found = roles.get(role_ref) or next((r for r in roles.values() if r.name == role_ref), None)
            if found is None:
                raise fixture.error(f"{path}.role", f"no role with id or name {role_ref!r}")
            role_id = found.id
        provider = fixture.get(raw, "provider", str, path, default="default")
        if provider != "default" and provider not in provider_names:
            raise fixture.error(f"{path}.provider", f"no provider named {provider!r} in $.providers")
        token: Any = fixture.get(raw, "token", (str, type(None)), path, default=None)
        if token is not None:
            if token in tokens:
                raise fixture.error(f"{path}.token", "duplicate static token")
            tokens.add(token)
        secret: Any = fixture.get(raw, "tfa_secret", (str, type(None)), path, default=None)
        if secret is not None and not is_valid_secret(secret):
            raise fixture.error(f"{path}.tfa_secret", "must be a base32 TOTP secret")
        row: dict[str, Any] = {}
        for column in USER_COLUMNS:
            if column in raw:
                row[column] = raw[column]
            else:
                row[column] = USER_DEFAULTS.get(column)
                if isinstance(row[column], list):
                    row[column] = list(row[column])
        row["role"] = role_id
        row["status"] = status
        row["provider"] = provider
        row["password_hash"] = (
            fake_password_hash(f"{user_id}:{password}") if password is not None else None
        )
        users[user_id] = row

    collections: dict[str, list[dict[str, Any]]] = {}
    raw_collections = fixture.get(data, "collections", dict, "$", default={})
    for name, items in raw_collections.items():
        path = f"$.collections.{name}"
        if name.startswith("directus_"):
            raise fixture.error(path, "system collections (directus_*) cannot be fixtures")
        fixture.expect(items, list, path)
        seen: set[str] = set()
        for index, item in enumerate(items):
            fixture.expect(item, dict, f"{path}[{index}]")
            if "id" not in item:
                raise fixture.error(f"{path}[{index}]", 'missing required key "id"')
            fixture.expect(item["id"], (int, str), f"{path}[{index}].id")
            if str(item["id"]) in seen:
                raise fixture.error(f"{path}[{index}].id", "duplicate id")
            seen.add(str(item["id"]))
        collections[name] = [dict(item) for item in items]

    return Seed(
        settings=settings,
        roles=roles,
        public_permissions=public_permissions,
        users=users,
        collections=collections,
        providers=providers,
    )
