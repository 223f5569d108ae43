"""Directus's body parsing: Express 4 ``express.json()`` (body-parser 1.x) on Node 20.

A malformed body is answered with the text Node's ``JSON.parse`` throws, so this module ports
V8's JSON parser error reporting (positions in UTF-16 code units, the ``Unexpected token``
context snippets) and body-parser's strict mode (only an object or array at the top).
Python's ``json`` parses the valid bodies; the port only runs to word a failure.
"""

from __future__ import annotations

import codecs
import json
import re
import zlib
from typing import Any

from authmock.flavours.directus import errors as E

#: body-parser's ``limit`` default in Directus (MAX_PAYLOAD_SIZE=1mb)
MAX_PAYLOAD_SIZE = 1024 * 1024

_FIRST_CHAR = re.compile(r"^[\x20\x09\x0a\x0d]*([^\x20\x09\x0a\x0d])")
_HASHES = re.compile(r"#+")
_WS = " \t\r\n"
_MAX_CONTEXT = 10
_MIN_CONTEXT_SOURCE = _MAX_CONTEXT * 2 + 1


class BodyError(Exception):
    """body-parser refused the body; ``reason`` becomes the INVALID_PAYLOAD reason."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _to_units(text: str) -> str:
    """The string as JavaScript sees it: one character per UTF-16 code unit."""
    if text.isascii():
        return text
    raw = text.encode("utf-16-le", "surrogatepass")
    return "".join(chr(int.from_bytes(raw[i : i + 2], "little")) for i in range(0, len(raw), 2))


def from_units(text: str) -> str:
    """Back from code units to a Python string (surrogate pairs joined, lone ones kept)."""
    if text.isascii():
        return text
    raw = b"".join(ord(c).to_bytes(2, "little") for c in text)
    return raw.decode("utf-16-le", "surrogatepass")


class _V8Json:
    """V8's JsonParser, reduced to finding the first error and wording it like Node 20."""

    def __init__(self, source: str) -> None:
        self.s = source
        self.n = len(source)
        self.i = 0

    # errors ----------------------------------------------------------------------------
    def fail(self, template: str | None = None) -> BodyError:
        pos = self.i
        if template is not None:
            return BodyError(E.V8_JSON_MESSAGES[template].format(pos=pos))
        if pos >= self.n:
            return BodyError(E.V8_JSON_MESSAGES["eos"])
        char = self.s[pos]
        if char == '"':
            return BodyError(E.V8_JSON_MESSAGES["string"].format(pos=pos))
        if char == "-" or (char.isdigit() and char.isascii()):
            return BodyError(E.V8_JSON_MESSAGES["number"].format(pos=pos))
        if self.s in ("NaN", "Infinity", "undefined", "[object Object]"):
            return BodyError(E.V8_NOT_VALID_JSON.format(source=self.s))
        if self.n < _MIN_CONTEXT_SOURCE:
            return BodyError(E.V8_JSON_MESSAGES["token_short"].format(token=char, source=self.s))
        if pos < _MAX_CONTEXT:
            key, start, end = "token_start", 0, pos + _MAX_CONTEXT
        elif pos < self.n - _MAX_CONTEXT:
            key, start, end = "token_surround", pos - _MAX_CONTEXT, pos + _MAX_CONTEXT
        else:
            key, start, end = "token_end", pos - _MAX_CONTEXT, self.n
        return BodyError(
            E.V8_JSON_MESSAGES[key].format(token=char, source=self.s[start:end])
        )

    # scanning --------------------------------------------------------------------------
    def skip_ws(self) -> None:
        while self.i < self.n and self.s[self.i] in _WS:
            self.i += 1

    def peek(self) -> str:
        return self.s[self.i] if self.i < self.n else ""

    def expect(self, char: str, template: str | None = None) -> None:
        self.skip_ws()
        if self.peek() != char:
            raise self.fail(template)
        self.i += 1

    def check(self, char: str) -> bool:
        self.skip_ws()
        if self.peek() == char:
            self.i += 1
            return True
        return False

    def parse(self) -> None:
        """Iterative like V8's, so a deeply nested body cannot exhaust the Python stack."""
        stack: list[str] = []
        while True:
            self.skip_ws()
            char = self.peek()
            if char == "{":
                self.i += 1
                if not self.check("}"):
                    self.expect('"', "prop_or_rbrace")
                    self.string()
                    self.expect(":", "colon")  # V8 names the colon for a first key only
                    stack.append("{")
                    continue
            elif char == "[":
                self.i += 1
                if not self.check("]"):
                    stack.append("[")
                    continue
            elif char == '"':
                self.i += 1
                self.string()
            elif char == "-" or ("0" <= char <= "9" and char != ""):
                self.number()
            elif char == "t":
                self.literal("true")
            elif char == "f":
                self.literal("false")
            elif char == "n":
                self.literal("null")
            else:
                raise self.fail()
            # a value is complete: close containers until one wants another value
            while stack:
                if stack[-1] == "{":
                    if self.check(","):
                        self.expect('"', "double_quoted")
                        self.string()
                        self.expect(":")
                        break
                    self.expect("}", "comma_or_rbrace")
                else:
                    if self.check(","):
                        break
                    self.expect("]", "comma_or_rbrack")
                stack.pop()
            else:
                self.skip_ws()
                if self.i < self.n:
                    raise self.fail("trailing")
                return

    def literal(self, word: str) -> None:
        for expected in word:
            if self.peek() != expected:
                raise self.fail()
            self.i += 1

    def string(self) -> None:
        """Called after the opening quote."""
        while True:
            if self.i >= self.n:
                raise self.fail("unterminated_string")
            char = self.s[self.i]
            if char == '"':
                self.i += 1
                return
            if char == "\\":
                self.i += 1
                if self.i >= self.n:
                    raise self.fail()
                esc = self.s[self.i]
                if esc == "u":
                    for _ in range(4):
                        self.i += 1
                        if self.i >= self.n or self.s[self.i] not in "0123456789abcdefABCDEF":
                            raise self.fail("unicode_escape")
                    self.i += 1
                    continue
                if esc not in '"\\/bfnrt':
                    # V8 words escapes beyond Latin-1 as an unexpected token
                    raise self.fail("escape" if ord(esc) <= 0xFF else None)
                self.i += 1
                continue
            if ord(char) < 0x20:
                raise self.fail("control")
            self.i += 1

    def number(self) -> None:
        if self.peek() == "-":
            self.i += 1
            if not ("0" <= self.peek() <= "9" and self.peek() != ""):
                raise self.fail("minus")
        if self.peek() == "0":
            self.i += 1
            if "0" <= self.peek() <= "9" and self.peek() != "":
                raise self.fail()
        else:
            while "0" <= self.peek() <= "9" and self.peek() != "":
                self.i += 1
        if self.peek() == ".":
            self.i += 1
            if not ("0" <= self.peek() <= "9" and self.peek() != ""):
                raise self.fail("fraction")
            while "0" <= self.peek() <= "9" and self.peek() != "":
                self.i += 1
        if self.peek() in ("e", "E") and self.peek() != "":
            self.i += 1
            if self.peek() in ("+", "-") and self.peek() != "":
                self.i += 1
            if not ("0" <= self.peek() <= "9" and self.peek() != ""):
                raise self.fail("exponent")
            while "0" <= self.peek() <= "9" and self.peek() != "":
                self.i += 1


def v8_error(text: str) -> str | None:
    """The message Node 20's ``JSON.parse(text)`` throws, or None if it parses."""
    units = _to_units(text)
    try:
        _V8Json(units).parse()
    except BodyError as exc:
        return from_units(exc.reason)
    return None


def _reject_constant(name: str) -> Any:
    raise ValueError(name)


#: what ``json.loads(text, parse_constant=_reject_constant)`` builds on every call; a decoder
#: keeps no state between documents (json.loads shares one the same way)
_DECODE = json.JSONDecoder(parse_constant=_reject_constant).decode


def parse_json_text(text: str) -> Any:
    """``JSON.parse`` semantics: the value, or BodyError with Node 20's message."""
    try:
        if text.startswith("\ufeff"):  # json.loads refuses a leading BOM before decoding
            raise ValueError("Unexpected UTF-8 BOM")
        return _DECODE(text)
    except ValueError:
        pass
    except RecursionError:  # valid for V8 unless the port finds an error
        message = v8_error(text)
        if message is None:
            return {} if text.lstrip(_WS).startswith("{") else []
        raise BodyError(message) from None
    message = v8_error(text)
    raise BodyError(message if message is not None else E.REASON_UNEXPECTED_EOS)


def _strict_error(text: str, first: str | None) -> BodyError:
    """body-parser's createStrictSyntaxError: parse '#'s in place of the body, then put the
    body's own characters back into the message (all in UTF-16 code units, as in Node)."""
    units = _to_units(text)
    index = units.find(_to_units(first)[0]) if first is not None else units.find("undefined")
    partial = ""
    if index != -1:
        partial = units[:index] + "#" * (len(units) - index)
    message = E.REASON_UNEXPECTED_EOS
    if partial:
        try:
            _V8Json(partial).parse()
        except BodyError as exc:
            message = exc.reason

    def back(match: re.Match[str]) -> str:
        return units[index : index + len(match.group(0))]

    return BodyError(from_units(_HASHES.sub(back, message)))


def is_json_type(content_type: str | None) -> bool:
    """type-is ``application/json`` (parameters and letter case ignored)."""
    if not content_type:
        return False
    return content_type.split(";", 1)[0].strip().lower() == "application/json"


def charset_of(content_type: str) -> str:
    for param in content_type.split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip('"').lower()
    return ""


def _inflate(raw: bytes, wbits: int) -> bytes:
    """Inflate at most one byte past the limit (raw-body counts the inflated bytes), so a
    small compressed body cannot make the mock allocate gigabytes."""
    try:
        return zlib.decompressobj(wbits).decompress(raw, MAX_PAYLOAD_SIZE + 1)
    except zlib.error as exc:
        raise BodyError(E.REASON_INCORRECT_HEADER) from exc


def parse_body(content_type: str | None, encoding: str | None, raw: bytes) -> Any:
    """What Directus's ``req.body`` is: ``{}`` unless the request is JSON, else the value."""
    if content_type == "application/json":  # what most clients send: no parameters to read
        charset = "utf-8"
    elif not is_json_type(content_type):
        return {}
    else:
        assert content_type is not None
        charset = charset_of(content_type) or "utf-8"
        if not charset.startswith("utf-"):
            raise BodyError(E.reason_unsupported_charset(charset))
    enc = "identity" if not encoding else encoding.strip().lower()
    if enc in ("gzip", "deflate"):
        raw = _inflate(raw, 16 + zlib.MAX_WBITS if enc == "gzip" else zlib.MAX_WBITS)
    elif enc != "identity":
        raise BodyError(E.reason_unsupported_encoding(enc))
    if len(raw) > MAX_PAYLOAD_SIZE:
        raise BodyError(E.REASON_TOO_LARGE)
    if charset == "utf-8":
        codec = "utf-8"  # codecs.lookup("utf-8").name
    else:
        try:
            codec = codecs.lookup(charset).name
        except LookupError:  # iconv-lite does not know it either
            raise BodyError(E.reason_unsupported_charset(charset)) from None
    text = raw.decode(codec, "replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    if text == "":
        return {}
    match = _FIRST_CHAR.match(text)
    first = match.group(1) if match else None
    if first not in ("{", "["):
        raise _strict_error(text, first)
    return parse_json_text(text)


#: a request's ``parse_body`` result, with the arguments it was worked out from
_PARSED = "authmock.directus.body"


def parse_body_once(
    environ: dict[str, Any], content_type: str | None, encoding: str | None, raw: bytes
) -> Any:
    """``parse_body``, remembered for the request: the user resolution of a login (before the
    route, ``faults.py``) and the body parser then read the body with one parse."""
    known = environ.get(_PARSED)
    if known is not None and known[0] == content_type and known[1] == encoding and known[2] is raw:
        return known[3]
    body = parse_body(content_type, encoding, raw)
    environ[_PARSED] = (content_type, encoding, raw, body)
    return body

