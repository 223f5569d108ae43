from __future__ import annotations

import base64
import json

import pytest

from authmock.clock import Clock
from authmock.randomness import Random
from authmock.store import Store
from authmock.tokens import JwtSigner, Refusal, constant_time_equals, decode_unverified


def make() -> tuple[JwtSigner, Clock, Store]:
    clock, store = Clock(), Store()
    return JwtSigner(clock, store, Random(7)), clock, store


def test_claim_order_is_kept() -> None:
    signer, clock, _ = make()
    token = signer.encode({"id": 1, "role": "r", "iat": 1, "exp": int(clock.time()) + 10})
    payload = token.split(".")[1]
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    assert list(json.loads(raw)) == ["id", "role", "iat", "exp"]


def test_expiry_is_judged_on_the_mock_clock_to_the_second() -> None:
    signer, clock, _ = make()
    clock.freeze()
    token = signer.encode({"exp": int(clock.time()) + 60})
    clock.set(clock.now().replace(microsecond=0))
    clock.advance(59 - (clock.time() - (int(clock.time()))))
    assert signer.verify(token).ok
    clock.advance(1)
    assert signer.verify(token).refusal is Refusal.EXPIRED


def test_structural_refusals() -> None:
    signer, _, _ = make()
    assert signer.verify("abc").refusal is Refusal.SEGMENTS
    assert signer.verify("a.b.c.d").refusal is Refusal.SEGMENTS
    assert signer.verify("!!!.e30.x").refusal is Refusal.HEADER
    assert decode_unverified("e30.!!!.x") is Refusal.PAYLOAD


def test_alg_none_and_foreign_signatures_are_refused() -> None:
    signer, _, _ = make()
    other = JwtSigner(Clock(), Store(), Random(1), secret="another-secret")
    header = base64.urlsafe_b64encode(b'{"alg":"none"}').rstrip(b"=").decode()
    body = base64.urlsafe_b64encode(b'{"sub":"x"}').rstrip(b"=").decode()
    assert signer.verify(f"{header}.{body}.").refusal is Refusal.ALGORITHM
    assert signer.verify(other.encode({"sub": "x"})).refusal is Refusal.SIGNATURE


def test_revocation_and_reset() -> None:
    signer, _, store = make()
    token = signer.encode({"sub": "x"})
    signer.revoke(token)
    assert signer.verify(token).refusal is Refusal.REVOKED
    fresh = signer.encode({"sub": "y"})
    signer.rotate()
    store.reset()
    assert signer.verify(fresh).refusal is Refusal.SIGNATURE


def test_pinned_secret_still_refuses_tokens_from_before_a_reset() -> None:
    clock, store = Clock(), Store()
    signer = JwtSigner(clock, store, Random(1), secret="pinned")
    token = signer.encode({"sub": "x"})
    signer.rotate()
    store.reset()
    assert signer.secret == "pinned"
    assert signer.verify(token).refusal is Refusal.SIGNATURE
    after = signer.encode({"sub": "y"})
    assert signer.verify(after).ok


def test_pinned_secret_accepts_tokens_signed_elsewhere_and_judges_their_expiry() -> None:
    import jwt

    PINNED = "a-pinned-secret-of-at-least-32-bytes"  # PyJWT warns on shorter HMAC keys
    clock, store = Clock(), Store()
    signer = JwtSigner(clock, store, Random(1), secret=PINNED)
    now = int(clock.time())
    expired = jwt.encode({"sub": "x", "exp": now - 1}, PINNED, algorithm="HS256")
    valid = jwt.encode({"sub": "x", "exp": now + 60}, PINNED, algorithm="HS256")
    other = jwt.encode({"sub": "x", "exp": now + 60}, "another-" + PINNED, algorithm="HS256")
    assert signer.verify(expired).refusal is Refusal.EXPIRED
    assert signer.verify(valid).ok
    assert signer.verify(other).refusal is Refusal.SIGNATURE


def test_random_secret_refuses_what_another_app_signed() -> None:
    clock = Clock()
    mine = JwtSigner(clock, Store(), Random(1))
    theirs = JwtSigner(clock, Store(), Random(2))
    assert mine.verify(theirs.encode({"sub": "x"})).refusal is Refusal.SIGNATURE


def test_constant_time_equals() -> None:
    assert constant_time_equals("abc", "abc")
    assert constant_time_equals(b"abc", "abc")
    assert not constant_time_equals("abc", "abd")
    assert not constant_time_equals(None, "abc")


def test_same_seed_same_values() -> None:
    assert Random(42).hex(16) == Random(42).hex(16)
    assert Random(42).nanoid(64) != Random(43).nanoid(64)
    assert len(Random(1).nanoid(64)) == 64


@pytest.mark.parametrize("sort_headers", [True, False])
@pytest.mark.parametrize(
    "headers", [None, {"typ": "JWT", "alg": "HS256"}, {"kid": "k1"}, {"alg": "HS256", "cty": "x"}]
)
def test_encode_is_byte_for_byte_what_pyjwt_writes(
    headers: dict[str, str] | None, sort_headers: bool
) -> None:
    import jwt

    signer = JwtSigner(Clock(), Store(), Random(3))
    claims = {
        "sub": "ü", "iat": 1, "exp": 4102444800.5, "nested": {"b": 1, "a": [1, None]}, "iss": "x"
    }
    expected = jwt.encode(
        claims, signer.secret, algorithm="HS256", headers=headers, sort_headers=sort_headers
    )
    assert signer.encode(claims, headers, sort_headers=sort_headers) == expected
    assert signer.verify(expected).ok

