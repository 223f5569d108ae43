"""Reading request input and validating it the way a Laravel FormRequest does.

Laravel facts reproduced here: input is the query string plus the body (JSON only when the
Content-Type says so; a body that does not parse is simply empty); ``TrimStrings`` trims every
string but the password fields and ``ConvertEmptyStringsToNull`` turns "" into null; rules run in
order and a failed ``required`` stops that field's other rules; other rules still all run.
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Request

from authmock.flavours.paystub import errors

PHP_JSON_DEPTH = 512  # json_decode's default depth
#: Laravel's TrimStrings middleware leaves these untouched
_UNTRIMMED = {"password", "password_confirmation", "current_password"}
#: what Laravel's ``email`` rule (RFC mode) refuses at least: no @, spaces, empty parts
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


def request_input(request: Request) -> dict[str, Any]:
    """Laravel's ``$request->all()``: query values overlaid by the body, cleaned up."""
    # PHP keeps the last of repeated keys (?email=a&email=b gives "b")
    data: dict[str, Any] = {key: request.args.getlist(key)[-1] for key in request.args}
    content_type = (request.mimetype or "").lower()
    if "/json" in content_type or "+json" in content_type:
        body = _json_body(request.get_data(cache=True))
        if isinstance(body, dict):
            data.update(body)
    elif request.form:
        data.update({key: request.form.getlist(key)[-1] for key in request.form})
    return {key: _clean(key, value) for key, value in data.items()}


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _json_body(raw: bytes) -> Any:
    """PHP's ``json_decode``: anything it cannot decode (or nested over 512) is null."""
    if not raw.strip():
        return None
    try:
        body = json.loads(raw, parse_constant=_refuse_constant)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    return None if _depth(body) > PHP_JSON_DEPTH else body


def _depth(value: Any) -> int:
    """Nesting depth counted as PHP does (a scalar is 0, ``[]`` is 1), without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            stack.extend((child, level + 1) for child in item.values())
            deepest = max(deepest, level + 1)
        elif isinstance(item, list):
            stack.extend((child, level + 1) for child in item)
            deepest = max(deepest, level + 1)
    return deepest


def _clean(key: str, value: Any) -> Any:
    if isinstance(value, str):
        if key not in _UNTRIMMED:
            value = value.strip()
        return None if value == "" else value
    return value


def _php_length(value: Any) -> int:
    """The size ``min`` measures for a value that has no ``numeric`` rule."""
    if isinstance(value, (list, dict)):
        return len(value)
    if isinstance(value, bool):
        return 1 if value else 0
    if isinstance(value, float) and value.is_integer():
        return len(str(int(value)))
    return len(str(value))


def _is_empty(value: Any) -> bool:
    """Fails Laravel's ``required``: null, blank strings, empty arrays."""
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    return isinstance(value, (list, dict)) and len(value) == 0


def _passes(rule: str, value: Any, data: dict[str, Any], attribute: str) -> bool:
    if rule == "string":
        return isinstance(value, str)
    if rule == "email":
        return isinstance(value, str) and _EMAIL.match(value) is not None
    if rule.startswith("min:"):
        return _php_length(value) >= int(rule[4:])
    if rule == "confirmed":
        return data.get(f"{attribute}_confirmation") == value and type(
            data.get(f"{attribute}_confirmation")
        ) is type(value)
    raise ValueError(f"unknown rule {rule}")


def validate(profile: str, data: dict[str, Any], rules: dict[str, list[str]]) -> None:
    """Raise the profile's 422 if ``data`` fails ``rules`` (field order = rules order)."""
    failures: dict[str, list[str]] = {}
    for attribute, field_rules in rules.items():
        value = data.get(attribute)
        messages: list[str] = []
        for rule in field_rules:
            if rule == "required":
                if _is_empty(value):
                    messages.append(errors.validation_message(profile, "required", attribute))
                    break  # a failed implicit rule stops this field's other rules
                continue
            if _is_empty(value):
                continue  # non-implicit rules skip empty values
            if not _passes(rule, value, data, attribute):
                name, _, parameter = rule.partition(":")
                if parameter:
                    messages.append(
                        errors.validation_message(profile, name, attribute, min=int(parameter))
                    )
                else:
                    messages.append(errors.validation_message(profile, name, attribute))
        if messages:
            failures[attribute] = messages
    if failures:
        raise errors.invalid(profile, failures)


LOGIN_RULES = {"email": ["required", "string", "email"], "password": ["required", "string"]}
FORGOT_RULES = {"email": ["required", "email"]}
#: Breeze's NewPasswordController: Rules\Password::defaults() checks string then min:8
RESET_RULES = {
    "token": ["required"],
    "email": ["required", "email"],
    "password": ["required", "confirmed", "string", "min:8"],
}
