"""``/user/register`` (df-user ``Register``): Laravel's validation, then the new user, the
open-registration role in every app, and a confirmation mail or a login.

Every problem of a request is reported at once, field by field in the validator's order.
"""

from __future__ import annotations

from typing import Any

from flask import Response

from authmock.flavours.dreamfactory import errors, lookups
from authmock.flavours.dreamfactory.accounts import (
    CODE_ALPHABET,
    CODE_LENGTH,
    EMAIL,
    app_url,
    scalar_text,
)
from authmock.flavours.dreamfactory.context import Ctx, Payload, df_datetime
from authmock.flavours.dreamfactory.errors import DfError, json_response
from authmock.flavours.dreamfactory.sessions import login_user

#: the payload keys Register reads, in the order its validator reports them
FIELDS = ("email", "first_name", "last_name", "name", "username", "phone",
          "security_question", "security_answer", "new_password", "password",
          "password_confirmation")
_SECRETS = ("new_password", "password", "password_confirmation")

Problems = dict[str, list[str]]


def _problem(problems: Problems, name: str, template: str, **extra: Any) -> None:
    problems.setdefault(name, []).append(errors.validation(name, template, **extra))


def register(ctx: Ctx) -> Response:
    if ctx.method not in ("POST", "PUT", "PATCH"):
        raise DfError(400, errors.VERB_NOT_SUPPORTED.format(verb=ctx.method, name="register"))
    settings = ctx.mock.seed.settings
    confirm_by_email = bool(settings["open_reg_email_confirmation"])
    problems: Problems = {}
    fields = _fields(ctx.payload, problems)
    email: str = fields.get("email") or ""
    first, last, display = _names(fields, email)
    _check_email(ctx, email, problems)
    _check_names(first, last, display, problems)
    username = fields.get("username")
    _check_username(ctx, username, problems)
    secret = fields.get("new_password") or fields.get("password")
    if not confirm_by_email:
        _check_password(secret, fields.get("password_confirmation", secret), problems)
    if problems:
        raise DfError(400, errors.VALIDATION_FAILED, context=problems)
    if not settings["allow_open_registration"]:
        raise DfError(403, errors.OPEN_REGISTRATION_DISABLED)
    code = ctx.mock.rng.choice(CODE_ALPHABET, CODE_LENGTH) if confirm_by_email else None
    user = _create_user(ctx, fields, {
        "name": display, "username": username, "first_name": first, "last_name": last,
        "email": email, "password": None if confirm_by_email else secret, "confirm_code": code,
    })
    _link_open_role(ctx, user["id"])
    login = ctx.param_bool("login")
    if code is not None:
        _send_confirmation(ctx, user, code)
        if login:
            return json_response({"success": True, "confirmation_required": True})
        return json_response({"success": True})
    if login:
        return json_response({"success": True, "session_token": login_user(ctx, user)[0]})
    return json_response({"success": True})


def _fields(payload: Payload, problems: Problems) -> dict[str, str]:
    """The given fields as PHP strings (trimmed, but not the passwords); arrays refused."""
    fields: dict[str, str] = {}
    for name in FIELDS:
        value = payload.get(name)
        if value is None:
            continue
        text = scalar_text(value)
        if text is None:
            _problem(problems, name, errors.V_STRING)
        else:
            fields[name] = text if name in _SECRETS else text.strip()
    return fields


def _names(fields: dict[str, str], email: str) -> tuple[str | None, str | None, str | None]:
    """First, last and display name, filled in from the e-mail's local part when missing."""
    first = fields.get("first_name") or (email.split("@")[0] if "@" in email else None)
    last = fields.get("last_name")
    if not last and first:
        # Register: "jo.smith" becomes first name "jo", last name "smith"; no dot: both alike
        names = first.split(".")
        first, last = (names[0], names[1]) if len(names) > 1 else (first, first)
    display: str | None = fields.get("name") or (f"{first} {last}" if first and last
                                                 else None)
    return first, last, display


def _check_email(ctx: Ctx, email: str, problems: Problems) -> None:
    if "email" in problems:
        return
    if not email:
        _problem(problems, "email", errors.V_REQUIRED)
        return
    if not EMAIL.match(email):
        _problem(problems, "email", errors.V_EMAIL)
    if len(email) > 255:
        _problem(problems, "email", errors.V_MAX, n=255)
    if lookups.user_by_email(ctx, email) is not None:
        _problem(problems, "email", errors.V_UNIQUE)


def _check_names(
    first: str | None, last: str | None, display: str | None, problems: Problems
) -> None:
    if not display and "name" not in problems:
        _problem(problems, "name", errors.V_REQUIRED)
    elif display and len(display) > 255:
        _problem(problems, "name", errors.V_MAX, n=255)
    if not first and "first_name" not in problems:
        _problem(problems, "first_name", errors.V_REQUIRED)
    if not last and "last_name" not in problems:
        _problem(problems, "last_name", errors.V_REQUIRED)


def _check_username(ctx: Ctx, username: str | None, problems: Problems) -> None:
    if not username:
        return
    if len(username) < 6:
        _problem(problems, "username", errors.V_MIN, n=6)
    if " " in username:
        _problem(problems, "username", errors.V_NO_SPACES)
    if lookups.table(ctx, "users").find(lambda u: u["username"] == username):
        _problem(problems, "username", errors.V_UNIQUE)


def _check_password(secret: str | None, confirmation: str | None, problems: Problems) -> None:
    """Without e-mail confirmation the password is set now: required, confirmed, 16+."""
    if not secret:
        _problem(problems, "password", errors.V_REQUIRED)
        return
    if confirmation != secret:
        _problem(problems, "password", errors.V_CONFIRMED)
    if len(secret) < 16:
        _problem(problems, "password", errors.V_MIN, n=16)


def _create_user(ctx: Ctx, fields: dict[str, str], given: dict[str, Any]) -> dict[str, Any]:
    """The new ``user`` row, in DreamFactory's column order, under the next id."""
    users = lookups.table(ctx, "users")
    ident = max([0, *users.keys()]) + 1
    now = ctx.mock.clock.time()
    stamp = df_datetime(now)
    user = {
        "id": ident, "name": given["name"], "username": given["username"],
        "first_name": given["first_name"], "last_name": given["last_name"],
        "last_login_date": None, "email": given["email"], "is_active": True,
        "phone": fields.get("phone"), "security_question": fields.get("security_question"),
        "default_app_id": None, "adldap": None, "oauth_provider": None, "saml": None,
        "created_date": stamp, "last_modified_date": stamp, "created_by_id": None,
        "last_modified_by_id": None, "is_sys_admin": False,
        "password": given["password"],
        "security_answer": fields.get("security_answer"),
        "confirm_code": given["confirm_code"], "modified_at": now if given["confirm_code"]
        else None,
    }
    users.put(ident, user)
    return user


def _link_open_role(ctx: Ctx, user_id: int) -> None:
    """``open_reg_role``: the new user gets that role in every app."""
    role_name = ctx.mock.seed.settings["open_reg_role"]
    if role_name is None:
        return
    role = lookups.table(ctx, "roles").find(lambda r: r["name"] == role_name)
    links = lookups.table(ctx, "user_roles")
    for app in lookups.table(ctx, "apps").values():
        link = max([0, *links.keys()]) + 1
        links.put(link, {"id": link, "user_id": user_id, "app_id": app["id"],
                         "role_id": role["id"]})


def _send_confirmation(ctx: Ctx, user: dict[str, Any], code: str) -> None:
    email, username = user["email"], user["username"]
    link = (f"{app_url(ctx, 'confirm_register_url')}?code={code}&email={email}"
            f"&username={username or ''}")
    ctx.mock.mailbox.send(
        email, "Registration Confirmation",
        f"Hi {user['first_name']},\n\nThank you for registering. Go to the following url, "
        f"enter the code below, and set your password to confirm your account.\n\n{link}\n\n"
        f"Confirmation Code: {code}\n",
        token=code, links=[link],
    )
