"""Passwords, registration and profile (df-system ``UserPasswordResource``,
``UserProfileResource``; df-user ``Register``).

Setting a password blacklists every token of that user (``User::setPasswordAttribute``), so
a change without ``?login=true`` logs the caller out too, exactly like the real server.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Response

from authmock.flavours.dreamfactory import errors, lookups, tokens
from authmock.flavours.dreamfactory.context import Ctx, df_datetime, php_empty
from authmock.flavours.dreamfactory.errors import DfError, json_response
from authmock.flavours.dreamfactory.sessions import login_user
from authmock.tokens import constant_time_equals

CODE_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
CODE_LENGTH = 32
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PRINTABLE = re.compile(r"[\x20-\x7e]+")  # PHP ctype_print: printable ASCII only
PROFILE_FIELDS = ("username", "first_name", "last_name", "name", "email", "phone",
                  "security_question", "security_answer", "default_app_id", "current_password")


def _text(value: Any) -> str | None:
    """A scalar payload value as PHP would store it; None for arrays and objects."""
    if isinstance(value, bool):
        return "1" if value else ""
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return value
    return None


def _user_by_email(ctx: Ctx, email: str) -> dict[str, Any] | None:
    wanted = email.strip().casefold()
    found: dict[str, Any] | None = lookups.table(ctx, "users").find(
        lambda user: user["email"].casefold() == wanted
    )
    return found


def set_password(ctx: Ctx, user: dict[str, Any], password: str, **changes: Any) -> dict[str, Any]:
    """Store a new password and blacklist all of the user's tokens."""
    now = df_datetime(ctx.mock.clock.time())
    row = {**user, **changes, "password": password, "last_modified_date": now}
    lookups.table(ctx, "users").put(user["id"], row)
    tokens.revoke_user_tokens(ctx, user["id"])
    return row


def _allowed(user: dict[str, Any], *, admin: bool) -> None:
    if bool(user["is_sys_admin"]) != admin:
        raise DfError(401, errors.NOT_AUTHORIZED_PASSWORD + user["email"])


def _url(ctx: Ctx, setting: str) -> str:
    """Laravel ``url()``: a configured path becomes absolute on the request's host."""
    value = str(ctx.mock.seed.settings[setting])
    return ctx.request.host_url.rstrip("/") + value if value.startswith("/") else value


def _success(ctx: Ctx, user: dict[str, Any], login: bool) -> Response:
    if login:
        return json_response({"success": True, "session_token": login_user(ctx, user)[0]})
    return json_response({"success": True})


def password(ctx: Ctx, *, admin: bool) -> Response:
    if ctx.method not in ("POST", "PUT", "PATCH"):
        raise DfError(400, errors.VERB_NOT_SUPPORTED.format(verb=ctx.method, name="password"))
    payload = ctx.payload
    login = ctx.param_bool("login")
    old = payload.get("old_password")
    new = payload.get("new_password")
    if not php_empty(old) and ctx.user is not None:
        return _change(ctx, old, new, login=login, admin=admin)
    if ctx.param_bool("reset"):
        return _request_reset(ctx, payload.get("email"), admin=admin)
    code = payload.get("code")
    if not php_empty(code):
        return _reset_with_code(ctx, payload.get("email"), code, new, login=login, admin=admin)
    answer = payload.get("security_answer")
    if not php_empty(answer):
        return _reset_with_answer(ctx, payload.get("email"), answer, new, login=login,
                                  admin=admin)
    raise DfError(400, errors.NOT_ENOUGH_INFO)


def _change(ctx: Ctx, old: Any, new: Any, *, login: bool, admin: bool) -> Response:
    user = ctx.user
    assert user is not None
    _allowed(user, admin=admin)  # UserPasswordResource checks the account first
    if php_empty(old) or php_empty(new) or _text(new) is None:
        raise DfError(400, errors.BOTH_PASSWORDS_REQUIRED)
    if not constant_time_equals(user["password"], _text(old)):
        raise DfError(400, errors.PASSWORD_MISMATCH)
    row = set_password(ctx, user, str(_text(new)))
    return _success(ctx, row, login)


def _request_reset(ctx: Ctx, email: Any, *, admin: bool) -> Response:
    if php_empty(email) or _text(email) is None:
        raise DfError(400, errors.RESET_MISSING_EMAIL)
    user = _user_by_email(ctx, str(_text(email)))
    if user is None:
        raise DfError(404, errors.EMAIL_NOT_FOUND)
    _allowed(user, admin=admin)
    if user["security_question"]:
        return json_response({"security_question": user["security_question"]})
    code = ctx.mock.rng.choice(CODE_ALPHABET, CODE_LENGTH)
    now = ctx.mock.clock.time()
    lookups.table(ctx, "users").put(
        user["id"], {**user, "confirm_code": code, "last_modified_date": df_datetime(now),
                     "modified_at": now}
    )
    admin_flag = "1" if user["is_sys_admin"] else ""
    link = (f"{_url(ctx, 'confirm_reset_url')}?code={code}&email={user['email']}"
            f"&username={user['username'] or ''}&admin={admin_flag}")
    ctx.mock.mailbox.send(
        user["email"],
        "Password Reset",
        f"Hi {user['first_name'] or user['name']},\n\nYou have requested to reset your "
        f"password. Go to the following url, enter the code below, and set your new "
        f"password.\n\n{link}\n\nConfirmation Code: {code}\n",
        token=code,
        links=[link],
    )
    return json_response({"success": True})


def _code_expired(ctx: Ctx, user: dict[str, Any]) -> bool:
    """``isConfirmationExpired``: ``confirm_code_ttl`` minutes after the last modification."""
    issued = user.get("modified_at")
    if not isinstance(issued, (int, float)):
        return False
    ttl = int(ctx.mock.seed.settings["confirm_code_ttl"]) * 60
    return bool(ctx.mock.clock.time() > issued + ttl)


def _reset_with_code(
    ctx: Ctx, email: Any, code: Any, new: Any, *, login: bool, admin: bool
) -> Response:
    if php_empty(email) or _text(email) is None:
        raise DfError(400, errors.RESET_MISSING_EMAIL)
    if php_empty(new) or _text(new) is None:
        raise DfError(400, errors.MISSING_NEW_PASSWORD)
    code_text = _text(code)
    if code_text is None or php_empty(code_text) or code_text == "y":
        raise DfError(400, errors.INVALID_CODE)
    if not _PRINTABLE.fullmatch(code_text) or len(code_text.encode("utf-8")) != CODE_LENGTH:
        raise DfError(400, errors.INVALID_CODE_FORMAT)
    user = _user_by_email(ctx, str(_text(email)))
    if user is None or not constant_time_equals(user["confirm_code"], code_text):
        raise DfError(404, errors.EMAIL_CODE_NOT_FOUND)
    if _code_expired(ctx, user):
        raise DfError(400, errors.CODE_EXPIRED)
    _allowed(user, admin=admin)
    row = set_password(ctx, user, str(_text(new)), confirm_code=None, modified_at=None)
    return _success(ctx, row, login)


def _reset_with_answer(
    ctx: Ctx, email: Any, answer: Any, new: Any, *, login: bool, admin: bool
) -> Response:
    if php_empty(email) or _text(email) is None:
        raise DfError(400, errors.RESET_MISSING_EMAIL)
    if php_empty(new) or _text(new) is None:
        raise DfError(400, errors.MISSING_NEW_PASSWORD)
    if php_empty(answer):
        raise DfError(400, errors.MISSING_SECURITY_ANSWER)
    user = _user_by_email(ctx, str(_text(email)))
    if user is None:
        raise DfError(404, errors.EMAIL_ANSWER_NOT_FOUND)
    _allowed(user, admin=admin)  # isAllowed() runs before the answer is checked
    if not constant_time_equals(user["security_answer"], _text(answer)):
        raise DfError(400, errors.ANSWER_MISMATCH)
    row = set_password(ctx, user, str(_text(new)))
    return _success(ctx, row, login)


# --- registration ------------------------------------------------------------------------
def register(ctx: Ctx) -> Response:
    if ctx.method not in ("POST", "PUT", "PATCH"):
        raise DfError(400, errors.VERB_NOT_SUPPORTED.format(verb=ctx.method, name="register"))
    payload = ctx.payload
    settings = ctx.mock.seed.settings
    confirm_by_email = bool(settings["open_reg_email_confirmation"])
    fields: dict[str, Any] = {}
    problems: dict[str, list[str]] = {}

    def problem(name: str, template: str, **extra: Any) -> None:
        problems.setdefault(name, []).append(errors.validation(name, template, **extra))

    for name in ("email", "first_name", "last_name", "name", "username", "phone",
                 "security_question", "security_answer", "new_password", "password",
                 "password_confirmation"):
        value = payload.get(name)
        if value is None:
            continue
        text = _text(value)
        if text is None:
            problem(name, errors.V_STRING)
        else:
            fields[name] = text.strip() if name not in ("new_password", "password",
                                                      "password_confirmation") else text
    email: str = fields.get("email") or ""
    first = fields.get("first_name") or (email.split("@")[0] if "@" in email else None)
    last = fields.get("last_name")
    if not last and first:
        # Register: "jo.smith" becomes first name "jo", last name "smith"; no dot: both alike
        names = first.split(".")
        first, last = (names[0], names[1]) if len(names) > 1 else (first, first)
    display: str | None = fields.get("name") or (f"{first} {last}" if first and last
                                                 else None)
    if "email" not in problems:
        if not email:
            problem("email", errors.V_REQUIRED)
        else:
            if not _EMAIL.match(email):
                problem("email", errors.V_EMAIL)
            if len(email) > 255:
                problem("email", errors.V_MAX, n=255)
            if _user_by_email(ctx, email) is not None:
                problem("email", errors.V_UNIQUE)
    if not display and "name" not in problems:
        problem("name", errors.V_REQUIRED)
    elif display and len(display) > 255:
        problem("name", errors.V_MAX, n=255)
    if not first and "first_name" not in problems:
        problem("first_name", errors.V_REQUIRED)
    if not last and "last_name" not in problems:
        problem("last_name", errors.V_REQUIRED)
    username = fields.get("username")
    if username:
        if len(username) < 6:
            problem("username", errors.V_MIN, n=6)
        if " " in username:
            problem("username", errors.V_NO_SPACES)
        if lookups.table(ctx, "users").find(lambda u: u["username"] == username):
            problem("username", errors.V_UNIQUE)
    secret = fields.get("new_password") or fields.get("password")
    if not confirm_by_email:
        if not secret:
            problem("password", errors.V_REQUIRED)
        else:
            confirmation = fields.get("password_confirmation", secret)
            if confirmation != secret:
                problem("password", errors.V_CONFIRMED)
            if len(secret) < 16:
                problem("password", errors.V_MIN, n=16)
    if problems:
        raise DfError(400, errors.VALIDATION_FAILED, context=problems)
    if not settings["allow_open_registration"]:
        raise DfError(403, errors.OPEN_REGISTRATION_DISABLED)

    users = lookups.table(ctx, "users")
    ident = max([0, *users.keys()]) + 1
    now = ctx.mock.clock.time()
    stamp = df_datetime(now)
    code = ctx.mock.rng.choice(CODE_ALPHABET, CODE_LENGTH) if confirm_by_email else None
    user = {
        "id": ident, "name": display, "username": username, "first_name": first,
        "last_name": last, "last_login_date": None, "email": email, "is_active": True,
        "phone": fields.get("phone"), "security_question": fields.get("security_question"),
        "default_app_id": None, "adldap": None, "oauth_provider": None, "saml": None,
        "created_date": stamp, "last_modified_date": stamp, "created_by_id": None,
        "last_modified_by_id": None, "is_sys_admin": False,
        "password": None if confirm_by_email else secret,
        "security_answer": fields.get("security_answer"),
        "confirm_code": code, "modified_at": now if code else None,
    }
    users.put(ident, user)
    role_name = settings["open_reg_role"]
    if role_name is not None:
        role = lookups.table(ctx, "roles").find(lambda r: r["name"] == role_name)
        links = lookups.table(ctx, "user_roles")
        for app in lookups.table(ctx, "apps").values():
            link = max([0, *links.keys()]) + 1
            links.put(link, {"id": link, "user_id": ident, "app_id": app["id"],
                             "role_id": role["id"]})
    login = ctx.param_bool("login")
    if code is not None:
        link = (f"{_url(ctx, 'confirm_register_url')}?code={code}&email={email}"
                f"&username={username or ''}")
        ctx.mock.mailbox.send(
            email, "Registration Confirmation",
            f"Hi {first},\n\nThank you for registering. Go to the following url, enter the "
            f"code below, and set your password to confirm your account.\n\n{link}\n\n"
            f"Confirmation Code: {code}\n",
            token=code, links=[link],
        )
        if login:
            return json_response({"success": True, "confirmation_required": True})
        return json_response({"success": True})
    if login:
        return json_response({"success": True, "session_token": login_user(ctx, user)[0]})
    return json_response({"success": True})


# --- profile -----------------------------------------------------------------------------
def profile(ctx: Ctx, *, admin: bool) -> Response:
    user = ctx.user
    if ctx.method in ("GET", "HEAD"):
        if user is None:
            raise DfError(401, errors.NO_VALID_SESSION)
        if admin and not user["is_sys_admin"]:
            raise DfError(401, errors.NOT_AUTHORIZED)
        return json_response({
            "username": user["username"],
            "first_name": user["first_name"],
            "last_name": user["last_name"],
            "name": user["name"],
            "email": user["email"],
            "phone": user["phone"],
            "security_question": user["security_question"],
            "default_app_id": user["default_app_id"],
            "oauth_provider": user["oauth_provider"] or "",
            "adldap": user["adldap"] or "",
        })
    if ctx.method not in ("POST", "PUT", "PATCH"):
        raise DfError(400, errors.VERB_NOT_SUPPORTED.format(verb=ctx.method, name="profile"))
    if ctx.payload.empty:
        raise DfError(400, errors.NO_DATA)
    # array_filter(!is_null): unknown keys and nulls change nothing
    data = {key: ctx.payload.get(key) for key in PROFILE_FIELDS
            if ctx.payload.get(key) is not None}
    if user is None:
        raise DfError(404, errors.NO_USER_SESSION)
    if admin and not user["is_sys_admin"]:
        raise DfError(401, errors.NOT_AUTHORIZED)
    bad = {key: [errors.validation(key, errors.V_STRING)]
           for key, value in data.items() if value is not None and _text(value) is None}
    if bad:
        raise DfError(400, errors.INVALID_DATA + "".join(" " + m[0] for m in bad.values()),
                      context=bad)
    changes = {key: _text(value) for key, value in data.items()}
    current = changes.pop("current_password", None)
    new_email = changes.get("email")
    email_changed = bool(new_email) and new_email != user["email"]
    if email_changed:
        if php_empty(current):
            raise DfError(400, errors.CURRENT_PASSWORD_REQUIRED)
        if not constant_time_equals(user["password"], current):
            raise DfError(400, errors.PASSWORD_MISMATCH)
        if not _EMAIL.match(str(new_email)) or _user_by_email(ctx, str(new_email)):
            message = errors.validation("email", errors.V_EMAIL if not _EMAIL.match(str(new_email))
                                        else errors.V_UNIQUE)
            raise DfError(400, f"{errors.INVALID_DATA} {message}", context={"email": [message]})
    elif "email" in changes:
        changes.pop("email")
    stored: dict[str, Any] = dict(changes)
    if stored.get("default_app_id") is not None:
        value = str(stored["default_app_id"])
        stored["default_app_id"] = int(value) if value.isdigit() else None
    row = {**user, **stored,
           "last_modified_date": df_datetime(ctx.mock.clock.time())}
    lookups.table(ctx, "users").put(user["id"], row)
    if email_changed and ctx.token:
        # old tokens now fail "User verification failed." (their sub is the old e-mail)
        forever = bool((ctx.claims or {}).get("forever"))
        return json_response({"success": True,
                              "session_token": tokens.issue_token(ctx, row, forever=forever)})
    return json_response({"success": True})
