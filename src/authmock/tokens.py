"""Signed tokens checked strictly against the mock clock.

HS256 JWTs via PyJWT's JWS layer (claims serialised here, in the given order), with every time
claim checked here (never by PyJWT's own clock), and with each refusal carrying its reason so
a flavour can pick the product's exact message.
Tokens issued before a reset are refused as "signature": the secret rotates on reset and,
when a fixture pins the secret, the tokens issued until the reset are retired instead. With a
pinned secret, a token signed elsewhere with that secret (a hand-made expired one, say) is
checked like one of ours: that is what pinning the secret is for.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any

from authmock.clock import Clock
from authmock.randomness import Random
from authmock.store import Store

if TYPE_CHECKING:
    from jwt.api_jws import PyJWS


def constant_time_equals(a: str | bytes | None, b: str | bytes | None) -> bool:
    """Compare secrets without leaking where they differ; ``None`` never matches."""
    if a is None or b is None:
        return False
    if isinstance(a, str):
        a = a.encode("utf-8")
    if isinstance(b, str):
        b = b.encode("utf-8")
    return hmac.compare_digest(a, b)


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


class Refusal(str, Enum):
    """Why a token was refused. Flavours map these to their product's messages."""

    SEGMENTS = "segments"  # not three dot-separated parts
    HEADER = "header"  # header is not base64url JSON
    PAYLOAD = "payload"  # payload is not base64url JSON (an object)
    ALGORITHM = "algorithm"  # alg is not HS256 (alg:none included)
    SIGNATURE = "signature"  # bad signature, or issued before a reset / by another instance
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    REVOKED = "revoked"


@dataclass
class Verified:
    """Outcome of ``JwtSigner.verify``: claims when ``ok``, else the refusal reason."""

    claims: dict[str, Any] = field(default_factory=dict)
    refusal: Refusal | None = None
    header: dict[str, Any] = field(default_factory=dict)
    #: set when a user scenario, not the token's own ``exp``, expired it
    by_scenario: bool = False

    @property
    def ok(self) -> bool:
        return self.refusal is None

    def reason(self) -> str:
        """A short, machine-readable why for ``X-Authmock-Reason`` (``token expired at <ISO>``)."""
        refusal = self.refusal
        if refusal is None:
            return "token accepted"
        if refusal is Refusal.EXPIRED and self.by_scenario:
            return "token expired by the expire-sessions scenario"
        if refusal is Refusal.EXPIRED:
            exp = self.claims.get("exp")
            if isinstance(exp, (int, float)) and not isinstance(exp, bool):
                from datetime import datetime, timezone

                from authmock.clock import isoformat

                try:
                    when = datetime.fromtimestamp(exp, tz=timezone.utc)
                    return f"token expired at {isoformat(when)}"
                except (OverflowError, OSError, ValueError):
                    pass
            return "token expired"
        return _REFUSAL_REASONS[refusal]


_REFUSAL_REASONS = {
    Refusal.SEGMENTS: "malformed token",
    Refusal.HEADER: "malformed token header",
    Refusal.PAYLOAD: "malformed token payload",
    Refusal.ALGORITHM: "token algorithm not allowed",
    Refusal.SIGNATURE: "bad token signature",
    Refusal.EXPIRED: "token expired",
    Refusal.NOT_YET_VALID: "token not yet valid",
    Refusal.REVOKED: "token revoked by logout",
}


def _b64url(raw: bytes) -> bytes:
    return base64.urlsafe_b64encode(raw).rstrip(b"=")


_COMPACT = json.JSONEncoder(separators=(",", ":")).encode
_COMPACT_SORTED = json.JSONEncoder(separators=(",", ":"), sort_keys=True).encode


class _PyJwt:
    """PyJWT's pieces, imported on the first verification or pinned secret, not at start-up
    (``authmock serve`` answers its first request without them)."""

    jws: PyJWS
    invalid_signature: type[Exception]
    invalid_token: type[Exception]
    hs256: Any

    @classmethod
    def load(cls) -> type[_PyJwt]:
        if not hasattr(cls, "jws"):
            from jwt.algorithms import HMACAlgorithm
            from jwt.api_jws import PyJWS
            from jwt.exceptions import InvalidSignatureError, InvalidTokenError

            class _HMAC(HMACAlgorithm):
                """HMAC without PyJWT's key-length advisory: a fixture may pin the product's
                own short secret on purpose, and tokens must then verify with exactly it."""

                def check_key_length(self, key: bytes) -> None:
                    return None

            cls.hs256 = _HMAC(HMACAlgorithm.SHA256)
            cls.invalid_signature = InvalidSignatureError
            cls.invalid_token = InvalidTokenError
            jws = PyJWS(algorithms=[])
            jws.register_algorithm("HS256", _HMAC(HMACAlgorithm.SHA256))
            cls.jws = jws  # last: its presence says everything is loaded
        return cls


def _b64json(segment: str) -> Any:
    padded = segment + "=" * (-len(segment) % 4)
    raw = base64.urlsafe_b64decode(padded.encode("ascii"))
    return json.loads(raw.decode("utf-8"))


def decode_unverified(token: str) -> tuple[dict[str, Any], dict[str, Any]] | Refusal:
    """Header and claims without any check, or the structural refusal."""
    parts = token.split(".")
    if len(parts) != 3:
        return Refusal.SEGMENTS
    try:
        header = _b64json(parts[0])
    except (ValueError, binascii.Error, UnicodeError):
        return Refusal.HEADER
    if not isinstance(header, dict):
        return Refusal.HEADER
    try:
        claims = _b64json(parts[1])
    except (ValueError, binascii.Error, UnicodeError):
        return Refusal.PAYLOAD
    if not isinstance(claims, dict):
        return Refusal.PAYLOAD
    return header, claims


class JwtSigner:
    """HS256 signing and strict verification for one app."""

    ALGORITHM = "HS256"

    def __init__(
        self, clock: Clock, store: Store, rng: Random, secret: str | None = None
    ) -> None:
        self._clock = clock
        self._rng = rng
        self._fixed_secret = secret
        self._issued = store.table("__jwt_issued__")  # since the last reset
        self._revoked = store.table("__jwt_revoked__")
        self._expired = store.table("__jwt_expired__")  # by a user scenario, before their exp
        self._retired: set[str] = set()  # pinned secret: hashes issued before a reset
        if secret:
            # PyJWT's vetting (it refuses PEM/SSH keys as HMAC secrets), once, not per token
            self._use(secret, _PyJwt.load().hs256.prepare_key(secret))
        else:
            self._use_random()

    @property
    def secret(self) -> str:
        """The HS256 secret in use (read-only: it changes only with a reset)."""
        return self._secret

    def _use(self, secret: str, key: bytes) -> None:
        self._secret = secret
        self._key = key

    def _use_random(self) -> None:
        secret = self._rng.hex(32)  # hex digits: nothing for PyJWT's vetting to refuse
        self._use(secret, secret.encode("ascii"))

    def rotate(self) -> None:
        """Called on reset, before the store drops its changes: refuse every token issued so far.

        A random secret is simply replaced; a pinned one cannot be, so the tokens this app
        issued until now are retired by hash.
        """
        if self._fixed_secret is None:
            self._use_random()
        else:
            self._retired.update(key for key, _ in self._issued.items())

    def adopt(self, other: JwtSigner) -> None:
        """Take over ``other``'s secret and token records, so the tokens it issued stay valid
        here (a fixture reload). A changed pinned secret is kept: its old tokens are refused."""
        if self._fixed_secret != other._fixed_secret:
            return
        self._use(other._secret, other._key)
        self._retired = set(other._retired)
        for key, value in other._issued.items():
            self._issued.put(key, value)
        for key, value in other._revoked.items():
            self._revoked.put(key, value)
        for key, value in other._expired.items():  # expired by a user scenario
            self._expired.put(key, value)

    def register(self, token: str) -> None:
        """Record a token signed with ``secret`` outside ``encode`` (so a reset retires it)."""
        self._issued.put(sha256_hex(token), True)

    def issued(self) -> list[tuple[str, dict[str, Any]]]:
        """``(sha256 of the token, claims)`` of every token ``encode`` signed since the last
        reset, oldest first: the inspector lists them without keeping the tokens."""
        return [(key, claims) for key, claims in self._issued.items() if isinstance(claims, dict)]

    def revoke_digest(self, digest: str) -> None:
        """``revoke`` for a token known only by its sha256 (from ``issued``)."""
        self._revoked.put(digest, True)

    def is_revoked_digest(self, digest: str) -> bool:
        return digest in self._revoked

    def is_expired_digest(self, digest: str) -> bool:
        """Expired by a user scenario (``expire``/``expire_where``), for a token known by its
        hash."""
        return len(self._expired) > 0 and digest in self._expired

    def encode(
        self,
        claims: dict[str, Any],
        headers: dict[str, Any] | None = None,
        *,
        sort_headers: bool = True,
    ) -> str:
        """Sign ``claims`` in the given key order; the header is ``{"alg","typ"}`` sorted, or
        with ``sort_headers=False`` PyJWT's order (``typ`` first) updated by ``headers``.

        The same bytes as ``jwt.encode(claims, secret, "HS256", headers, sort_headers)``,
        signed here: PyJWT re-vets the key and rebuilds the header on every call, and a login
        signs on the hot path of every test.
        """
        header: dict[str, Any] = {"typ": "JWT", "alg": self.ALGORITHM}
        if headers:
            header.update(headers)
        header_json = (_COMPACT_SORTED if sort_headers else _COMPACT)(header)
        signing_input = (
            _b64url(header_json.encode("utf-8")) + b"." + _b64url(_COMPACT(claims).encode("utf-8"))
        )
        signature = hmac.new(self._key, signing_input, hashlib.sha256).digest()
        token = (signing_input + b"." + _b64url(signature)).decode("ascii")
        self._issued.put(sha256_hex(token), claims)  # the claims, for expire_where()
        return token

    def expire(self, token: str) -> None:
        """Judge this token expired from now on (a user scenario), whatever its ``exp``."""
        self._expired.put(sha256_hex(token), True)

    def is_expired(self, token: str) -> bool:
        """Expired by ``expire``/``expire_where`` (its own ``exp`` is judged by ``verify``)."""
        return len(self._expired) > 0 and sha256_hex(token) in self._expired

    def expire_where(self, predicate: Callable[[dict[str, Any]], bool]) -> int:
        """Expire every token issued since the last reset whose claims satisfy ``predicate``
        (tokens signed with ``encode``); returns how many."""
        count = 0
        for key, claims in list(self._issued.items()):
            if isinstance(claims, dict) and predicate(claims):
                self._expired.put(key, True)
                count += 1
        return count

    def revoke(self, token: str) -> None:
        self._revoked.put(sha256_hex(token), True)

    def is_revoked(self, token: str) -> bool:
        return sha256_hex(token) in self._revoked

    def verify(
        self, token: str, *, check_time: bool = True, leeway: float = 0.0
    ) -> Verified:
        """Structure, algorithm, signature, not retired by a reset, revocation, time."""
        decoded = decode_unverified(token)
        if isinstance(decoded, Refusal):
            return Verified(refusal=decoded)
        header, claims = decoded
        if header.get("alg") != self.ALGORITHM:
            return Verified(claims=claims, header=header, refusal=Refusal.ALGORITHM)
        pyjwt = _PyJwt.load()
        try:
            pyjwt.jws.decode_complete(token, self.secret, algorithms=[self.ALGORITHM])
        except pyjwt.invalid_signature:
            return Verified(claims=claims, header=header, refusal=Refusal.SIGNATURE)
        except pyjwt.invalid_token:
            return Verified(claims=claims, header=header, refusal=Refusal.PAYLOAD)
        if self._retired and sha256_hex(token) in self._retired:
            return Verified(claims=claims, header=header, refusal=Refusal.SIGNATURE)
        if self.is_revoked(token):
            return Verified(claims=claims, header=header, refusal=Refusal.REVOKED)
        if check_time and self.is_expired(token):
            return Verified(claims=claims, header=header, refusal=Refusal.EXPIRED, by_scenario=True)
        if check_time:
            now = self._clock.time()
            exp = claims.get("exp")
            if isinstance(exp, (int, float)) and not isinstance(exp, bool) and now >= exp + leeway:
                return Verified(claims=claims, header=header, refusal=Refusal.EXPIRED)
            nbf = claims.get("nbf")
            if isinstance(nbf, (int, float)) and not isinstance(nbf, bool) and now < nbf - leeway:
                return Verified(claims=claims, header=header, refusal=Refusal.NOT_YET_VALID)
        return Verified(claims=claims, header=header)
