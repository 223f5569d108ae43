"""Passwords and profile (df-system ``UserPasswordResource``, ``UserProfileResource``);
registration is ``registration.py``.

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
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PRINTABLE = re.compile(r"[\x20-\x7e]+")  # PHP ctype_print: printable ASCII only
PROFILE_FIELDS = ("username", "first_name", "last_name", "name", "email", "phone",
                  "security_question", "security_answer", "default_app_id", "current_password")


def scalar_text(value: Any) -> str | None:
    """A scalar payload value as PHP would store it; None for arrays and objects."""
    if isinstance(value, bool):
        return "1" if value else ""
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return value
    return None


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


def app_url(ctx: Ctx, setting: str) -> str:
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
    if php_empty(old) or php_empty(new) or scalar_text(new) is None:
        raise DfError(400, errors.BOTH_PASSWORDS_REQUIRED)
    if not constant_time_equals(user["password"], scalar_text(old)):
        raise DfError(400, errors.PASSWORD_MISMATCH)
    row = set_password(ctx, user, str(scalar_text(new)))
    return _success(ctx, row, login)


def _request_reset(ctx: Ctx, email: Any, *, admin: bool) -> Response:
    if php_empty(email) or scalar_text(email) is None:
        raise DfError(400, errors.RESET_MISSING_EMAIL)
    user = lookups.user_by_email(ctx, str(scalar_text(email)))
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
    link = (f"{app_url(ctx, 'confirm_reset_url')}?code={code}&email={user['email']}"
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
    if php_empty(email) or scalar_text(email) is None:
        raise DfError(400, errors.RESET_MISSING_EMAIL)
    if php_empty(new) or scalar_text(new) is None:
        raise DfError(400, errors.MISSING_NEW_PASSWORD)
    code_text = scalar_text(code)
    if code_text is None or php_empty(code_text) or code_text == "y":
        raise DfError(400, errors.INVALID_CODE)
    if not _PRINTABLE.fullmatch(code_text) or len(code_text.encode("utf-8")) != CODE_LENGTH:
        raise DfError(400, errors.INVALID_CODE_FORMAT)
    user = lookups.user_by_email(ctx, str(scalar_text(email)))
    if user is None or not constant_time_equals(user["confirm_code"], code_text):
        raise DfError(404, errors.EMAIL_CODE_NOT_FOUND)
    if _code_expired(ctx, user):
        raise DfError(400, errors.CODE_EXPIRED)
    _allowed(user, admin=admin)
    row = set_password(ctx, user, str(scalar_text(new)), confirm_code=None, modified_at=None)
    return _success(ctx, row, login)


def _reset_with_answer(
    ctx: Ctx, email: Any, answer: Any, new: Any, *, login: bool, admin: bool
) -> Response:
    if php_empty(email) or scalar_text(email) is None:
        raise DfError(400, errors.RESET_MISSING_EMAIL)
    if php_empty(new) or scalar_text(new) is None:
        raise DfError(400, errors.MISSING_NEW_PASSWORD)
    if php_empty(answer):
        raise DfError(400, errors.MISSING_SECURITY_ANSWER)
    user = lookups.user_by_email(ctx, str(scalar_text(email)))
    if user is None:
        raise DfError(404, errors.EMAIL_ANSWER_NOT_FOUND)
    _allowed(user, admin=admin)  # isAllowed() runs before the answer is checked
    if not constant_time_equals(user["security_answer"], scalar_text(answer)):
        raise DfError(400, errors.ANSWER_MISMATCH)
    row = set_password(ctx, user, str(scalar_text(new)))
    return _success(ctx, row, login)


# --- profile -----------------------------------------------------------------------------
def profile(ctx: Ctx, *, admin: bool) -> Response:
    """``GET`` shows the session user's profile; ``POST``/``PUT``/``PATCH`` change it."""
    if ctx.method in ("GET", "HEAD"):
        return _show_profile(ctx, admin=admin)
    if ctx.method not in ("POST", "PUT", "PATCH"):
        raise DfError(400, errors.VERB_NOT_SUPPORTED.format(verb=ctx.method, name="profile"))
    return _update_profile(ctx, admin=admin)


def _show_profile(ctx: Ctx, *, admin: bool) -> Response:
    user = ctx.user
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


def _update_profile(ctx: Ctx, *, admin: bool) -> Response:
    """Checks in the resource's order: a body, a session, the admin flag, scalar values, then
    (for a new e-mail) the current password and the address itself."""
    if ctx.payload.empty:
        raise DfError(400, errors.NO_DATA)
    # array_filter(!is_null): unknown keys and nulls change nothing
    data = {key: ctx.payload.get(key) for key in PROFILE_FIELDS
            if ctx.payload.get(key) is not None}
    user = ctx.user
    if user is None:
        raise DfError(404, errors.NO_USER_SESSION)
    if admin and not user["is_sys_admin"]:
        raise DfError(401, errors.NOT_AUTHORIZED)
    bad = {key: [errors.validation(key, errors.V_STRING)]
           for key, value in data.items() if value is not None and scalar_text(value) is None}
    if bad:
        raise DfError(400, errors.INVALID_DATA + "".join(" " + m[0] for m in bad.values()),
                      context=bad)
    changes = {key: scalar_text(value) for key, value in data.items()}
    current = changes.pop("current_password", None)
    new_email = changes.get("email")
    email_changed = bool(new_email) and new_email != user["email"]
    if email_changed:
        _check_new_email(ctx, user, str(new_email), current)
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


def _check_new_email(ctx: Ctx, user: dict[str, Any], new_email: str, current: Any) -> None:
    """A new e-mail needs the current password, and an address no other user has."""
    if php_empty(current):
        raise DfError(400, errors.CURRENT_PASSWORD_REQUIRED)
    if not constant_time_equals(user["password"], current):
        raise DfError(400, errors.PASSWORD_MISMATCH)
    if not EMAIL.match(new_email) or lookups.user_by_email(ctx, new_email):
        message = errors.validation("email", errors.V_EMAIL if not EMAIL.match(new_email)
                                    else errors.V_UNIQUE)
        raise DfError(400, f"{errors.INVALID_DATA} {message}", context={"email": [message]})
