"""The Joi schemas Directus validates login bodies with, and Joi's e-mail rule.

Joi (``abortEarly``) reports the first failing key in schema order; ``valid(...)`` is checked
before the type, so ``"mode": null`` reads "must be one of". The e-mail rule is
``@hapi/address``'s: two or more domain labels and a TLD on the IANA list.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from authmock.flavours.directus import errors as E
from authmock.flavours.directus.tlds import TLDS

_ATEXT = re.compile(r"^[\w!#$%&'*+\-/=?^`{|}~]+$", re.ASCII)
_ATOM = re.compile(
    rb"(?:[\xc2-\xdf][\x80-\xbf])|(?:\xe0[\xa0-\xbf][\x80-\xbf])|(?:[\xe1-\xec][\x80-\xbf]{2})"
    rb"|(?:\xed[\x80-\x9f][\x80-\xbf])|(?:[\xee-\xef][\x80-\xbf]{2})"
    rb"|(?:\xf0[\x90-\xbf][\x80-\xbf]{2})|(?:[\xf1-\xf3][\x80-\xbf]{3})|(?:\xf4[\x80-\x8f][\x80-\xbf]{2})"
)
_DOMAIN_CONTROL = re.compile(r"[\x00-\x20@:/\\#!$&'()*+,;=?]")
_TLD_SEGMENT = re.compile(r"^[a-zA-Z](?:[a-zA-Z0-9\-]*[a-zA-Z0-9])?$")
_DOMAIN_SEGMENT = re.compile(r"^[a-zA-Z0-9](?:[a-zA-Z0-9\-]*[a-zA-Z0-9])?$")

MODES = ("cookie", "json", "session")


def _js_len(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _punycode(domain: str) -> str:
    try:
        return domain.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return domain


def is_valid_email(email: str) -> bool:
    """``@hapi/address`` ``isEmailValid`` with Joi's defaults (IANA TLDs, 2+ labels)."""
    if not email:
        return False
    ascii_only = email.isascii()
    if not ascii_only:
        email = unicodedata.normalize("NFC", email)
    parts = email.split("@")
    if len(parts) != 2:
        return False
    local, domain = parts
    if not local:
        return False
    if ascii_only:  # one UTF-16 unit and one UTF-8 byte per character
        if len(email) > 254 or len(local) > 64:
            return False
    elif _js_len(email) > 254 or len(local.encode("utf-8", "surrogatepass")) > 64:
        return False
    for segment in local.split("."):
        if not segment:
            return False
        if ascii_only:
            if not _ATEXT.match(segment):
                return False
            continue
        for char in segment:
            if _ATEXT.match(char):
                continue
            if not _ATOM.search(char.encode("utf-8", "surrogatepass")):
                return False
    return _is_valid_domain(domain)


def _is_valid_domain(domain: str) -> bool:
    if not domain:
        return False
    ascii_only = domain.isascii()
    if (len(domain) if ascii_only else _js_len(domain)) > 256:
        return False
    if not ascii_only:
        domain = unicodedata.normalize("NFC", domain)
    if _DOMAIN_CONTROL.search(domain):
        return False
    domain = domain.replace("%", "%25")
    if not ascii_only:
        # an ASCII name is left as it is by IDNA (or lower-cased): every check below ignores case
        domain = _punycode(domain)
    segments = domain.split(".")
    if len(segments) < 2:
        return False
    if segments[-1].lower() not in TLDS:
        return False
    for index, segment in enumerate(segments):
        if not segment or len(segment) > 63:
            return False
        pattern = _DOMAIN_SEGMENT if index < len(segments) - 1 else _TLD_SEGMENT
        if not pattern.match(segment):
            return False
    return True


_MISSING: Any = object()


def _string(body: dict[str, Any], key: str, *, required: bool = False, email: bool = False,
            valid: tuple[str, ...] | None = None) -> str | None:
    """One ``Joi.string()`` key; the reason of its first failure, or None."""
    value = body.get(key, _MISSING)
    if value is _MISSING:
        return E.JOI_REQUIRED.format(key=key) if required else None
    if valid is not None:
        if value in valid and isinstance(value, str):
            return None
        return E.JOI_ONLY.format(key=key, values=", ".join(valid))
    if not isinstance(value, str):
        return E.JOI_STRING.format(key=key)
    if value == "":
        return E.JOI_EMPTY.format(key=key)
    if email and not is_valid_email(value):
        return E.JOI_EMAIL.format(key=key)
    return None


def validate_login(
    body: Any, *, identifier: bool = False, extra_modes: tuple[str, ...] = ()
) -> str | None:
    """The Joi reason for a login body (local: ``email``; ldap: ``identifier``), or None."""
    if not isinstance(body, dict):
        return E.JOI_OBJECT
    first = (
        _string(body, "identifier", required=True)
        if identifier
        else _string(body, "email", required=True, email=True)
    )
    if first is not None:
        return first
    for reason in (
        _string(body, "password", required=True),
        _mode_reason(body, extra_modes),
        _string(body, "otp"),
    ):
        if reason is not None:
            return reason
    return None


def _mode_reason(body: dict[str, Any], extra_modes: tuple[str, ...]) -> str | None:
    value = body.get("mode", _MISSING)
    if value is not _MISSING and isinstance(value, str) and value in extra_modes:
        return None
    return _string(body, "mode", valid=MODES)
