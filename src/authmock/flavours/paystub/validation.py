"""Reading request input and validating it the way a Laravel FormRequest does.

Laravel facts reproduced here: input is the query string plus the body (JSON only when the
Content-Type says so; a body that does not parse is simply empty); ``TrimStrings`` trims every
string but the password fields and ``ConvertEmptyStringsToNull`` turns "" into null; rules run in
order and a failed ``required`` stops that field's other rules; other rules still all run.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from typing import Any
from urllib.parse import unquote_to_bytes

from flask import Request

from authmock.flavours.paystub import errors

#: the environ key under which override.py keeps a body it read, so it is not read twice
BODY_KEY = "authmock.paystub.body"

PHP_JSON_DEPTH = 512  # json_decode's default depth
PHP_MAX_INPUT_VARS = 1000  # php.ini max_input_vars: later variables are dropped
#: Laravel's TrimStrings middleware leaves these untouched
_UNTRIMMED = {"password", "password_confirmation", "current_password"}
#: egulias/EmailValidator (Laravel's ``email`` rule, RFCValidation): characters that end an
#: unquoted local part's validity, the only ASCII characters a domain label may hold, and the
#: domain literal shape
_LOCAL_REFUSED = frozenset(',[]<>:;"()')
_DOMAIN_ASCII = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.")
_DOMAIN_LITERAL = re.compile(r"^\[[^\[\]\\\s]*\]$")
_SURROGATE = re.compile("[\ud800-\udfff]")
DOMAIN_MAX_LENGTH = 253
LABEL_MAX_LENGTH = 63


def is_json(content_type: str) -> bool:
    """``Request::isJson()``: a case-sensitive search of the raw header, not a parsed mimetype."""
    return "/json" in content_type or "+json" in content_type


def is_urlencoded(content_type: str) -> bool:
    return content_type.split(";", 1)[0].strip().lower() == "application/x-www-form-urlencoded"


def body_fields(content_type: str, raw: bytes) -> dict[str, Any] | None:
    """Laravel's ``$request->request`` for a JSON or URL-encoded body (None for others)."""
    if is_json(content_type):
        body = _json_body(raw)
        return body if isinstance(body, dict) else {}
    if is_urlencoded(content_type):
        return _php_variables(_url_pairs(raw))
    return None


def query_fields(raw: bytes) -> dict[str, Any]:
    """PHP's ``$_GET`` of a raw query string."""
    return _php_variables(_url_pairs(raw))


#: where ``request_input`` keeps what it built: the login's user resolution (``faults.py``,
#: before the route) and the route read the same input, which is parsed once
INPUT_KEY = "authmock.paystub.input"


def request_input(request: Request) -> dict[str, Any]:
    """Laravel's ``$request->all()``: query values overlaid by the body, cleaned up.

    Built once a request (the query and body do not change while it is served); each caller
    gets its own copy of the top level."""
    environ = request.environ
    built: dict[str, Any] | None = environ.get(INPUT_KEY)
    if built is None:
        built = environ[INPUT_KEY] = _request_input(request)
    return dict(built)


def _request_input(request: Request) -> dict[str, Any]:
    environ = request.environ
    query = environ.get("QUERY_STRING")
    data = query_fields(request.query_string) if query else {}
    raw = environ.get(BODY_KEY)  # the body the method-override wrapper read, if it did
    if raw is None:
        raw = request.get_data(cache=True)
    fields = body_fields(environ.get("CONTENT_TYPE", ""), raw)  # the Content-Type header
    if fields is not None:
        data.update(fields)
    elif request.form:
        data.update(_php_variables(request.form.items(multi=True)))
    return {key: _clean(key, value) for key, value in data.items()}


def _url_pairs(raw: bytes) -> list[tuple[bytes, bytes]]:
    """``a=1&b`` as PHP splits it: on ``&`` only, ``+`` is a space, any byte may appear."""
    pairs = []
    for part in raw.split(b"&"):
        if part:
            key, _, value = part.partition(b"=")
            pairs.append(
                (
                    unquote_to_bytes(key.replace(b"+", b" ")),
                    unquote_to_bytes(value.replace(b"+", b" ")),
                )
            )
    return pairs


def _text(value: str | bytes) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def _php_name(key: str) -> tuple[str, list[str | None]] | None:
    """How PHP registers a GET/POST variable: ``a[b][]`` is ``a`` with the path ``b``, append.

    Leading spaces are dropped and spaces and dots of the base name become ``_``; a ``[``
    that is never closed becomes ``_`` too; after a ``]`` not followed by ``[`` the rest is
    ignored. An empty base name registers nothing.
    """
    key = key.lstrip(" ")
    bracket = key.find("[")
    base = (key if bracket == -1 else key[:bracket]).replace(" ", "_").replace(".", "_")
    if not base:
        return None
    if bracket == -1:
        return base, []
    if "]" not in key[bracket + 1 :]:
        return base + "_" + key[bracket + 1 :], []
    path: list[str | None] = []
    rest = key[bracket:]
    while rest.startswith("[") and "]" in rest:
        close = rest.index("]")
        path.append(rest[1:close] or None)  # None: "[]", append
        rest = rest[close + 1 :]
    return base, path


def _php_variables(pairs: Iterable[tuple[str | bytes, str | bytes]]) -> dict[str, Any]:
    """PHP's ``$_GET``/``$_POST``: the last of repeated keys wins, ``a[]``/``a[k]`` make arrays
    (as dicts; both are arrays to Laravel), at most ``max_input_vars`` (1000) variables."""
    result: dict[str, Any] = {}
    for count, (raw_key, raw_value) in enumerate(pairs):
        if count >= PHP_MAX_INPUT_VARS:
            break
        parsed = _php_name(_text(raw_key))
        if parsed is None:
            continue
        name, path = parsed
        value = _text(raw_value)
        keys: list[str | None] = [name, *path]
        node = result
        for position, index in enumerate(keys):
            if index is None:
                numeric = [int(k) for k in node if k.isdigit()]
                index = str(max(numeric) + 1 if numeric else 0)
            if position == len(keys) - 1:
                node[index] = value
            else:
                child = node.get(index)
                if not isinstance(child, dict):
                    child = {}
                    node[index] = child
                node = child
    return result


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


#: what ``json.loads(text, parse_constant=_refuse_constant)`` builds on every call, built once
_DECODER = json.JSONDecoder(parse_constant=_refuse_constant)


def _json_body(raw: bytes) -> Any:
    """PHP's ``json_decode``: anything it cannot decode is null: invalid UTF-8, a byte-order
    mark or another encoding, NaN/Infinity, an unpaired surrogate escape, nesting over 512."""
    if not raw.strip():
        return None
    try:
        text = raw.decode("utf-8")
        if text.startswith("\ufeff"):
            return None  # json.loads refuses a byte-order mark before decoding
        body = _DECODER.decode(text)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    # each level of nesting opens a bracket, and a lone surrogate needs a \\u escape: a body
    # without enough of either is spared the walks
    if raw.count(b"[") + raw.count(b"{") > PHP_JSON_DEPTH and _depth(body) > PHP_JSON_DEPTH:
        return None
    if b"\\u" in raw and _has_lone_surrogate(body):
        return None
    return body


def _has_lone_surrogate(value: Any) -> bool:
    stack: list[Any] = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if not item.isascii() and _SURROGATE.search(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


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


def _lexer_invalid(char: str) -> bool:
    """egulias' INVALID token: a control character, or a non-ASCII symbol or control."""
    if char.isascii():
        return (ord(char) < 32 and char not in "\t\r\n") or ord(char) == 127
    return unicodedata.category(char)[0] in "SC"


def is_rfc_email(value: str) -> bool:
    """An approximation of egulias' RFCValidation, the check behind Laravel's ``email`` rule.

    Refused as egulias refuses them: no ``@`` or nothing before/after it; an unquoted local
    part starting or ending with a dot, with two dots in a row, white space or one of
    ``,[]<>:;"``; a domain with anything but letters, digits, non-ASCII letters, ``-`` and
    ``.``, starting with a dot or hyphen, ending with one, ``..`` or ``-.``, a label over 63
    or a domain over 253 bytes; control characters and non-ASCII symbols anywhere. A quoted
    local part (``"john doe"@example.com``) and a domain literal (``a@[127.0.0.1]``) pass.
    Comments (``john(x)@example.com``, valid to egulias) are refused here.
    """
    # printable ASCII holds no INVALID token: only other text needs the scan
    if not (value.isascii() and value.isprintable()) and any(
        _lexer_invalid(char) for char in value
    ):
        return False
    if value.startswith('"'):
        index, escaped = 1, False
        while index < len(value):
            char = value[index]
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                break
            elif char in "\t\r\n\x00":
                return False
            index += 1
        if index >= len(value) or value[index + 1 : index + 2] != "@":
            return False
        domain = value[index + 2 :]
    else:
        local, at, domain = value.partition("@")
        if not at or not local or local[0] == "." or local[-1] == "." or ".." in local:
            return False
        if any(char in _LOCAL_REFUSED or char.isspace() for char in local):
            return False
        for position, char in enumerate(local[:-1] if "\\" in local else ""):
            following = local[position + 1]
            if char == "\\" and (following.isalnum() or not following.isascii()):
                return False
    if not domain:
        return False
    if domain.startswith("["):
        return _DOMAIN_LITERAL.match(domain) is not None
    if domain[0] in ".-" or domain[-1] in ".-" or ".." in domain or "-." in domain:
        return False
    if domain.isascii():
        if not _DOMAIN_ASCII.issuperset(domain):
            return False
    elif any(char.isascii() and char not in _DOMAIN_ASCII for char in domain):
        return False
    if len(domain.encode("utf-8")) > DOMAIN_MAX_LENGTH:
        return False
    return all(len(label) <= LABEL_MAX_LENGTH for label in domain.split(".") if label.isascii())


def _passes(rule: str, value: Any, data: dict[str, Any], attribute: str) -> bool:
    if rule == "string":
        return isinstance(value, str)
    if rule == "email":
        return isinstance(value, str) and is_rfc_email(value)
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
