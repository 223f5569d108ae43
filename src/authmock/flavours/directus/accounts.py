"""Settings and shared rules of Directus's account flows (registration, invites, Users API, TFA).

The ``directus_settings`` values Directus reads at run time (``public_registration*``,
``auth_password_policy``, ``auth_login_attempts``, ``project_name``) live in one store row, so
``PATCH /settings`` changes them and ``reset()`` brings the fixture's values back. The env-style
values (token TTLs, URL allow-lists, the registration rate limiter) are fixed per app.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from authmock.flavours.directus import errors as E
from authmock.flavours.directus.joi import is_valid_email

if TYPE_CHECKING:
    from authmock.fixtures import FixtureFile
    from authmock.flavours.directus.config import Role
    from authmock.flavours.directus.sessions import DirectusService

#: the directus_settings columns served by /settings, in the table's column order
SETTINGS_COLUMNS = (
    "id", "project_name", "auth_login_attempts", "auth_password_policy", "public_registration",
    "public_registration_verify_email", "public_registration_role",
    "public_registration_email_filter",
)
_BOOLEAN_SETTINGS = ("public_registration", "public_registration_verify_email")
#: the filter operators public_registration_email_filter may use
FILTER_OPERATORS = (
    "_eq", "_neq", "_contains", "_ncontains", "_icontains", "_starts_with", "_nstarts_with",
    "_istarts_with", "_ends_with", "_nends_with", "_iends_with", "_in", "_nin", "_regex",
    "_null", "_nnull", "_empty", "_nempty",
)
_UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", re.I)
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
#: RFC 3986 characters; Joi's uri() also wants a scheme
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*$")


@dataclass
class AccountSettings:
    """Defaults are Directus 11's (``@directus/env`` and the directus_settings seed)."""

    project_name: str = "Directus"
    public_registration: bool = False
    public_registration_verify_email: bool = True
    #: a role id or name until ``resolve_role`` turns it into an id
    public_registration_role: str | None = None
    public_registration_email_filter: dict[str, Any] | None = None
    invite_ttl_ms: float = 7 * 86400000.0
    verification_ttl_ms: float = 7 * 86400000.0
    invite_allow_list: list[str] | None = None
    register_allow_list: list[str] | None = None
    registration_limiter: bool = True
    registration_points: int = 5
    registration_duration: float = 60.0
    register_stall_ms: float = 750.0


def parse_accounts(settings: dict[str, Any]) -> AccountSettings:
    """The account settings of a fixture's ``settings``; ``schema.py`` declared and checked
    them (every problem with its JSON path), so this only converts."""
    from authmock.flavours.directus.config import env_bool, parse_ms, url_list

    out = AccountSettings()

    def ms(key: str, default: float) -> float:
        value = parse_ms(settings[key]) if key in settings else None
        return default if value is None else value

    out.project_name = settings.get("project_name", out.project_name)
    out.public_registration = env_bool(settings.get("public_registration", False))
    out.public_registration_verify_email = env_bool(
        settings.get("public_registration_verify_email", True))
    out.public_registration_role = settings.get("public_registration_role")
    out.public_registration_email_filter = settings.get("public_registration_email_filter")
    out.invite_ttl_ms = ms("USER_INVITE_TOKEN_TTL", out.invite_ttl_ms)
    out.verification_ttl_ms = ms("EMAIL_VERIFICATION_TOKEN_TTL", out.verification_ttl_ms)
    for key, attr in (("USER_INVITE_URL_ALLOW_LIST", "invite_allow_list"),
                      ("USER_REGISTER_URL_ALLOW_LIST", "register_allow_list")):
        if settings.get(key) is not None:
            setattr(out, attr, url_list(settings[key]))
    out.registration_limiter = env_bool(settings.get("RATE_LIMITER_REGISTRATION_ENABLED", True))
    out.registration_points = settings.get("RATE_LIMITER_REGISTRATION_POINTS", 5)
    out.registration_duration = float(settings.get("RATE_LIMITER_REGISTRATION_DURATION", 60))
    out.register_stall_ms = ms("REGISTER_STALL_TIME", out.register_stall_ms)
    return out


def resolve_role(fixture: FixtureFile, accounts: AccountSettings, roles: dict[str, Role]) -> None:
    """``public_registration_role`` by id or name, checked once the roles are known."""
    ref = accounts.public_registration_role
    if ref is None:
        return
    found = roles.get(ref) or next((r for r in roles.values() if r.name == ref), None)
    if found is None:
        raise fixture.error(
            "$.settings.public_registration_role", f"no role with id or name {ref!r}"
        )
    accounts.public_registration_role = found.id


# the directus_settings row -------------------------------------------------------------------
def settings_row(svc: DirectusService) -> dict[str, Any]:
    """The current directus_settings row (fixture values plus PATCH /settings changes)."""
    row: dict[str, Any] = svc.mock.store["directus_settings"][1]  # seeded by settings_api.install
    return row


def initial_row(svc: DirectusService) -> dict[str, Any]:
    acc: AccountSettings = svc.settings.accounts
    return {
        "id": 1,
        "project_name": acc.project_name,
        "auth_login_attempts": svc.settings.login_attempts,
        "auth_password_policy": svc.settings.password_policy,
        "public_registration": acc.public_registration,
        "public_registration_verify_email": acc.public_registration_verify_email,
        "public_registration_role": acc.public_registration_role,
        "public_registration_email_filter": acc.public_registration_email_filter,
    }


def setting(svc: DirectusService, name: str) -> Any:
    return settings_row(svc).get(name)


# rules shared by create, update, register and invite -------------------------------------------
def policy_regex(policy: str) -> re.Pattern[str] | None:
    """``auth_password_policy`` as Directus builds it (an optional ``/…/`` wrapper)."""
    from authmock.flavours.directus.config import policy_pattern

    try:
        return re.compile(policy_pattern(policy))
    except re.error:
        return None


def check_password_policy(svc: DirectusService, passwords: list[Any]) -> None:
    policy = setting(svc, "auth_password_policy")
    if not policy:
        return
    regex = policy_regex(policy)
    for password in passwords:
        text = js_text(password)
        if regex is not None and not regex.search(text):
            raise E.password_format(text)


def js_text(value: Any) -> str:
    from authmock.flavours.directus.http import js_string

    return value if isinstance(value, str) else js_string(value)


def validate_emails(emails: list[Any]) -> None:
    """``validateEmail``: ``Joi.string().email().required()`` for each."""
    for email in emails:
        if not isinstance(email, str) or not is_valid_email(email):
            raise E.email_format()


def check_unique_emails(
    svc: DirectusService, emails: list[str], exclude: str | None = None
) -> None:
    """``checkUniqueEmails``: case-insensitive, duplicates in the batch first."""
    lowered = [e.lower() for e in emails]
    duplicates = [e for i, e in enumerate(lowered) if lowered.index(e) != i]
    if duplicates:
        raise E.not_unique("[" + ",".join(duplicates) + "]", "email")
    taken = {
        u["email"].lower() for u in svc.users.values()
        if isinstance(u.get("email"), str) and u.get("id") != exclude
    }
    if any(e in taken for e in lowered):
        raise E.not_unique("[" + ",".join(lowered) + "]", "email")


def is_uuid(value: Any) -> bool:
    return isinstance(value, str) and bool(_UUID.match(value))


def is_uuid4(value: Any) -> bool:
    return isinstance(value, str) and bool(_UUID4.match(value))


def is_uri(value: str) -> bool:
    return bool(_URI.match(value))


# public_registration_email_filter -----------------------------------------------------------
def filter_problem(filt: Any) -> str | None:
    """Why a filter cannot be evaluated here, or None."""
    if not isinstance(filt, dict):
        return "must be an object"
    for key, cond in filt.items():
        if key in ("_and", "_or"):
            if not isinstance(cond, list) or not all(isinstance(c, dict) for c in cond):
                return f"{key} must be a list of filters"
            for sub in cond:
                problem = filter_problem(sub)
                if problem is not None:
                    return problem
            continue
        if not isinstance(cond, dict) or not cond:
            return f"{key} must map operators to values"
        for op, arg in cond.items():
            if op not in FILTER_OPERATORS:
                return f"unknown operator {op} (supported: {', '.join(FILTER_OPERATORS)})"
            if op == "_regex":
                try:
                    re.compile(_regex_source(arg))
                except (re.error, TypeError):
                    return f"{key}._regex is not a valid regular expression"
    return None


def _regex_source(arg: Any) -> str:
    text = str(arg)
    if len(text) >= 2 and text.startswith("/") and text.endswith("/"):
        return text[1:-1]
    return text


def filter_matches(filt: dict[str, Any], item: dict[str, Any]) -> bool:
    """``validatePayload(filter, item)`` has no errors."""
    for key, cond in filt.items():
        if key == "_and":
            if not all(filter_matches(sub, item) for sub in cond):
                return False
            continue
        if key == "_or":
            if not any(filter_matches(sub, item) for sub in cond):
                return False
            continue
        value = item.get(key)
        for op, arg in cond.items():
            if not _operator(op, value, arg):
                return False
    return True


def _operator(op: str, value: Any, arg: Any) -> bool:
    text = value if isinstance(value, str) else ""
    needle = js_text(arg)
    checks: dict[str, Callable[[], bool]] = {
        "_eq": lambda: value == arg,
        "_neq": lambda: value != arg,
        "_contains": lambda: needle in text,
        "_ncontains": lambda: needle not in text,
        "_icontains": lambda: needle.lower() in text.lower(),
        "_starts_with": lambda: text.startswith(needle),
        "_nstarts_with": lambda: not text.startswith(needle),
        "_istarts_with": lambda: text.lower().startswith(needle.lower()),
        "_ends_with": lambda: text.endswith(needle),
        "_nends_with": lambda: not text.endswith(needle),
        "_iends_with": lambda: text.lower().endswith(needle.lower()),
        "_in": lambda: value in (arg if isinstance(arg, list) else [arg]),
        "_nin": lambda: value not in (arg if isinstance(arg, list) else [arg]),
        "_regex": lambda: re.search(_regex_source(arg), text) is not None,
        "_null": lambda: (value is None) == bool(arg),
        "_nnull": lambda: (value is not None) == bool(arg),
        "_empty": lambda: (value in (None, "")) == bool(arg),
        "_nempty": lambda: (value not in (None, "")) == bool(arg),
    }
    return bool(checks[op]())
