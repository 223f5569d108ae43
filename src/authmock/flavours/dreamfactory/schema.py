"""The DreamFactory fixture, declared once: validated by the core, published as JSON Schema."""

from __future__ import annotations

from typing import Any

from authmock.schema import (
    POSITION,
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
    shared_settings,
)

VERB_BITS = {"GET": 1, "POST": 2, "PUT": 4, "PATCH": 8, "DELETE": 16, "OPTIONS": 32, "HEAD": 64}

SETTINGS_DEFAULTS: dict[str, Any] = {
    "jwt_ttl": 1440,
    "jwt_refresh_ttl": 20160,
    "allow_forever_sessions": False,
    "allow_open_registration": False,
    "open_reg_email_confirmation": True,
    "open_reg_role": None,
    "confirm_code_ttl": 86400,
    "confirm_reset_url": "/dreamfactory/dist/#/reset-password",
    "confirm_register_url": "/dreamfactory/dist/#/register-confirm",
    "hostname": "dreamfactory",
}

_TEXT = Value(str, None)
_ID = Field(Value(int), default=POSITION, description="default: the 1-based position")


def _role_ref() -> Ref:
    return Ref("roles", lambda role: [role["name"]], "unknown role {value!r}")


def _service_ref() -> Ref:
    return Ref("services", lambda service: [service["name"].lower()], "unknown service {value!r}",
               normalize=str.lower)


def _minutes(key: str, description: str) -> Field:
    return Field(Value(int, rules=[above(0, "must be a positive number of minutes")]),
                 default=SETTINGS_DEFAULTS[key], description=description)


SETTINGS = Obj({
    **shared_settings(),
    "jwt_ttl": _minutes("jwt_ttl", "minutes a session token lives"),
    "jwt_refresh_ttl": _minutes("jwt_refresh_ttl", "minutes a token can still be refreshed"),
    "confirm_code_ttl": _minutes("confirm_code_ttl", "minutes a confirmation code lives"),
    **{key: Field(Value(bool), default=SETTINGS_DEFAULTS[key]) for key in (
        "allow_forever_sessions", "allow_open_registration", "open_reg_email_confirmation")},
    **{key: Field(Value(str), default=SETTINGS_DEFAULTS[key]) for key in (
        "confirm_reset_url", "confirm_register_url", "hostname")},
    "open_reg_role": Field(Value(str, None, ref=_role_ref()), default=None,
                           description="name of the role open registration gives"),
})

SERVICE = Obj({
    "id": _ID,
    "name": Field(Value(str), required=True, description="compared case-insensitively"),
    "label": Field(Value(str), description="default: the name"),
    "description": Field(_TEXT, default=None),
    "type": Field(Value(str), required=True, description='e.g. "sqlite", "user"'),
    "is_active": Field(Value(bool), default=True),
    "mutable": Field(Value(bool), default=True),
    "deletable": Field(Value(bool), default=True),
    "config": Field(Value(dict), default={}),
})


def _verb_check(verb: str) -> Verdict:
    return None if verb.upper() in VERB_BITS else f"unknown verb {verb!r}"


def _needs_verbs(entry: dict[str, Any]) -> Verdict:
    if "verb_mask" in entry or "verbs" in entry:
        return None
    return ('needs "verb_mask" (GET 1, POST 2, PUT 4, PATCH 8, DELETE 16) '
            'or "verbs" (e.g. ["GET", "POST"])')


ACCESS = Obj({
    "service": Field(Value(str, None, ref=_service_ref()), default=None,
                     description="service name; null: every service"),
    "component": Field(Value(str), default="*"),
    "verb_mask": Field(Value(int), description="GET 1, POST 2, PUT 4, PATCH 8, DELETE 16"),
    "verbs": Field(ListOf(Value(str, rules=[Rule(_verb_check)])),
                   description='instead of verb_mask, e.g. ["GET", "POST"]'),
    "requestor_mask": Field(Value(int), default=3),
    "filters": Field(Value(list), default=[]),
    "filter_op": Field(Value(str), default="AND"),
}, rules=[Rule(_needs_verbs)])

ROLE = Obj({
    "id": _ID,
    "name": Field(Value(str), required=True),
    "description": Field(_TEXT, default=None),
    "is_active": Field(Value(bool), default=True),
    "access": Field(ListOf(ACCESS), default=[]),
})

_API_KEY = "must be a unique, non-empty string"
APP = Obj({
    "id": _ID,
    "name": Field(Value(str), required=True),
    "api_key": Field(Value(str, rules=[Rule(lambda key: None if key else _API_KEY)]),
                     required=True),
    "description": Field(_TEXT, default=None),
    "is_active": Field(Value(bool), default=True),
    "type": Field(Value(int), default=0),
    "path": Field(_TEXT, default=None),
    "url": Field(_TEXT, default=None),
    "role": Field(Value(str, None, ref=_role_ref()), default=None,
                  description="name of the app's default role"),
})

_EMAIL = "must be a unique e-mail address"
USER = Obj({
    "id": _ID,
    "email": Field(Value(str, rules=[Rule(lambda e: None if "@" in e else _EMAIL)]),
                   required=True),
    "password": Field(_TEXT, default=None, description="plain text (a test double)"),
    "name": Field(Value(str), description="default: first and last name, else the e-mail"),
    "first_name": Field(_TEXT, default=None),
    "last_name": Field(_TEXT, default=None),
    "username": Field(_TEXT, default=None),
    "phone": Field(_TEXT, default=None),
    "is_sys_admin": Field(Value(bool), default=False),
    "is_active": Field(Value(bool), default=True),
    "security_question": Field(_TEXT, default=None),
    "security_answer": Field(_TEXT, default=None),
    "roles": Field(MapOf(
        Value(str, ref=_role_ref()),
        key_ref=Ref("apps", lambda app: [app["name"]], "unknown app {value!r}"),
    ), default={}, description="app name -> role name"),
})

RECORD = Obj({"id": Field(Value(int, str), required=True)}, extra=Value())


def _unique_id() -> Unique:
    return Unique(lambda entry: entry["id"], "duplicate id {value}", ".id")


def _unique_name(what: str, key: Any = None) -> Unique:
    return Unique(key or (lambda entry: entry["name"]), f"duplicate {what} name {{value!r}}",
                  ".name", shown=lambda entry: entry["name"])


SCHEMA = FixtureSchema(
    flavour="dreamfactory",
    description="A DreamFactory fixture for authmock: services, roles, apps, users and rows.",
    sections={
        "settings": Field(SETTINGS, default={}),
        "services": Field(ListOf(SERVICE, unique=[
            _unique_id(), _unique_name("service", lambda s: s["name"].lower())]), default=[]),
        "roles": Field(ListOf(ROLE, unique=[_unique_id(), _unique_name("role")]), default=[]),
        "apps": Field(ListOf(APP, unique=[
            _unique_id(), _unique_name("app"),
            Unique(lambda app: app["api_key"], _API_KEY, ".api_key"),
        ]), default=[]),
        "users": Field(ListOf(USER, unique=[
            _unique_id(), Unique(lambda user: user["email"].casefold(), _EMAIL, ".email"),
        ]), default=[]),
        "tables": Field(MapOf(
            MapOf(ListOf(RECORD, unique=[
                Unique(lambda row: row["id"], "duplicate id {value!r}", ".id")])),
            key_ref=_service_ref(),
        ), default={}, description="service name -> table name -> rows (each with an id)"),
    },
    overlay_keys={
        "services": lambda service: str(service.get("name", "")).lower() or None,
        "roles": lambda role: role.get("name"),
        "apps": lambda app: app.get("name"),
        "users": lambda user: str(user.get("email", "")).casefold() or None,
    },
)
