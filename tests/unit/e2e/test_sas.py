"""The commit-reveal SAS protocol: encodings, the two hash functions, both roles, tampering."""

from __future__ import annotations

import hashlib
import random
from collections import Counter

import pytest

from softphone.e2e import sas
from softphone.e2e.sas import (
    Answerer,
    CommitmentMismatch,
    Offerer,
    SasError,
    commitment,
    decode,
    encode,
    format_fingerprint,
    parse_fingerprint,
    parse_reveal_body,
    reveal_body,
    short_authentication_string,
)


def rand32(rng: random.Random) -> bytes:
    return rng.randbytes(32)


def flip(value: bytes, bit: int) -> bytes:
    data = bytearray(value)
    data[bit // 8] ^= 1 << (bit % 8)
    return bytes(data)


FP_O = bytes(range(32))
FP_A = bytes(range(100, 132))
N_O = bytes(range(200, 232))
N_A = bytes(range(50, 82))


# -- encodings ---------------------------------------------------------------------


def test_encode_decode_round_trip_without_padding():
    rng = random.Random(1)
    for _ in range(200):
        value = rand32(rng)
        text = encode(value)
        assert "=" not in text and len(text) == 43
        assert decode(text) == value


@pytest.mark.parametrize(
    "text",
    [
        encode(N_O) + "=",  # padding
        encode(N_O)[:-1],  # too short
        encode(N_O) + "A",  # too long
        encode(N_O).replace(encode(N_O)[3], "+", 1),  # standard, not url-safe, alphabet
        encode(N_O)[:10] + " " + encode(N_O)[10:],  # space inside
        "",
    ],
)
def test_decode_rejects_malformed(text):
    with pytest.raises(SasError):
        decode(text)


def test_decode_rejects_non_canonical_trailing_bits():
    # 32 bytes use 256 of the 258 bits of 43 characters: the last character's low two
    # bits must be zero, or two texts would decode to the same value.
    text = encode(N_O)
    last = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".index(text[-1])
    twin = text[:-1] + "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[last | 1]
    assert twin != text
    with pytest.raises(SasError):
        decode(twin)


def test_fingerprint_forms():
    text = format_fingerprint(FP_O)
    assert text == ":".join(f"{b:02X}" for b in FP_O)
    assert parse_fingerprint(text) == FP_O
    assert parse_fingerprint(f"sha-256 {text}") == FP_O
    assert parse_fingerprint(f"SHA-256 {text.lower()}") == FP_O
    assert parse_fingerprint(f"  sha-256   {text}  ") == FP_O


@pytest.mark.parametrize(
    "text",
    [
        "sha-1 " + ":".join(["AB"] * 20),
        "sha-384 " + ":".join(["AB"] * 48),
        "sha-256 " + ":".join(["AB"] * 31),
        "sha-256 " + ":".join(["AB"] * 33),
        "sha-256 " + "AB" * 32,  # no colons
        "sha-256 " + ":".join(["GZ"] * 32),
        "sha-256 AB:CD extra",
        "",
    ],
)
def test_fingerprint_rejects(text):
    with pytest.raises(SasError):
        parse_fingerprint(text)


# -- the hash functions -------------------------------------------------------------


def test_commitment_is_the_documented_hash():
    expected = hashlib.sha256(b"softphone-e2e/1 commit\x00" + N_O + FP_O).digest()
    assert commitment(N_O, FP_O) == expected


def test_commitment_binds_every_bit_of_nonce_and_fingerprint():
    base = commitment(N_O, FP_O)
    for bit in range(256):
        assert commitment(flip(N_O, bit), FP_O) != base
        assert commitment(N_O, flip(FP_O, bit)) != base


def _reference_sas(n_o: bytes, n_a: bytes, fp_o: bytes, fp_a: bytes) -> str:
    """The SAS as the docstring defines it, written out independently."""
    digest = hashlib.sha256(b"softphone-e2e/1 sas\x00" + n_o + n_a + fp_o + fp_a).digest()
    bits = "".join(f"{b:08b}" for b in digest)[:20]
    alphabet = "ybndrfg8ejkmcpqxot1uwisza345h769"
    return "".join(alphabet[int(bits[i : i + 5], 2)] for i in range(0, 20, 5))


def test_sas_is_the_documented_hash():
    rng = random.Random(2)
    for _ in range(500):
        args = [rand32(rng) for _ in range(4)]
        assert short_authentication_string(*args) == _reference_sas(*args)


def test_sas_known_answer_for_protocol_version_1():
    # Frozen: two releases that speak softphone-e2e/1 must show the same SAS. If this
    # changes, so must PROTOCOL (and the SDP attribute names).
    assert short_authentication_string(N_O, N_A, FP_O, FP_A) == _reference_sas(N_O, N_A, FP_O, FP_A)
    assert short_authentication_string(N_O, N_A, FP_O, FP_A) == "ygo1"


def test_sas_shape():
    value = short_authentication_string(N_O, N_A, FP_O, FP_A)
    assert len(value) == 4 and set(value) <= set(sas.SAS_ALPHABET)
    assert len(set(sas.SAS_ALPHABET)) == 32


def test_sas_order_of_roles_matters():
    assert short_authentication_string(N_O, N_A, FP_O, FP_A) != short_authentication_string(
        N_A, N_O, FP_A, FP_O
    )


@pytest.mark.parametrize("which", range(4))
def test_sas_depends_on_each_input_uniformly(which):
    """Varying one input alone spreads every character over the whole alphabet: no
    input (above all the offerer's nonce, unknown to a MITM when it answers) can be
    ignored by someone trying to predict the SAS."""
    rng = random.Random(10 + which)
    fixed = [rand32(rng) for _ in range(4)]
    counts = [Counter() for _ in range(4)]
    trials = 4096
    for _ in range(trials):
        args = list(fixed)
        args[which] = rand32(rng)
        for pos, ch in enumerate(short_authentication_string(*args)):
            counts[pos][ch] += 1
    for pos in range(4):
        assert set(counts[pos]) == set(sas.SAS_ALPHABET)
        # each symbol expected 128 times; a biased or truncated mapping falls far outside
        assert min(counts[pos].values()) > 64 and max(counts[pos].values()) < 200


@pytest.mark.parametrize("bad", [b"", b"x" * 31, b"x" * 33, "x" * 32])
def test_hash_functions_reject_wrong_lengths(bad):
    with pytest.raises(SasError):
        commitment(bad, FP_O)
    with pytest.raises(SasError):
        commitment(N_O, bad)
    for i in range(4):
        args = [N_O, N_A, FP_O, FP_A]
        args[i] = bad
        with pytest.raises(SasError):
            short_authentication_string(*args)


# -- reveal message ---------------------------------------------------------------


def test_reveal_body_round_trip():
    body = reveal_body(N_O)
    assert body.startswith("softphone-e2e/1 reveal ")
    assert parse_reveal_body(body) == N_O
    assert parse_reveal_body(body + "\r\n") == N_O


@pytest.mark.parametrize(
    "body",
    [
        "softphone-e2e/2 reveal " + encode(N_O),
        "softphone-e2e/1 commit " + encode(N_O),
        "softphone-e2e/1 reveal " + encode(N_O[:31]),
        "softphone-e2e/1 reveal " + encode(N_O) + " extra",
        "softphone-e2e/1 reveal",
        "",
    ],
)
def test_reveal_body_rejects(body):
    with pytest.raises(SasError):
        parse_reveal_body(body)


# -- both roles ------------------------------------------------------------------


def exchange(offerer: Offerer, fp_a: bytes = FP_A) -> tuple[Answerer, str, str]:
    answerer = Answerer.from_offer(offerer.commit_attribute, offerer.fingerprint, fp_a)
    sas_o = offerer.on_answer(answerer.nonce_attribute, answerer.fingerprint)
    sas_a = answerer.on_reveal(offerer.reveal())
    return answerer, sas_o, sas_a


def test_honest_exchange_gives_the_same_sas_on_both_sides():
    for _ in range(50):
        _answerer, sas_o, sas_a = exchange(Offerer(FP_O))
        assert sas_o == sas_a


def test_fresh_nonces_give_fresh_sas_values():
    values = {exchange(Offerer(FP_O))[1] for _ in range(50)}
    assert len(values) > 40  # 50 draws from 2^20 values: collisions are rare


def test_offerer_does_not_reveal_before_the_answer():
    offerer = Offerer(FP_O)
    with pytest.raises(SasError):
        offerer.reveal()
    with pytest.raises(SasError):
        _ = offerer.sas


def test_answerer_has_no_sas_before_the_reveal():
    offerer = Offerer(FP_O)
    answerer = Answerer.from_offer(offerer.commit_attribute, FP_O, FP_A)
    with pytest.raises(SasError):
        _ = answerer.sas


def test_tampered_commitment_is_caught_at_the_reveal():
    offerer = Offerer(FP_O)
    tampered = encode(flip(decode(offerer.commit_attribute), 7))
    answerer = Answerer.from_offer(tampered, FP_O, FP_A)
    offerer.on_answer(answerer.nonce_attribute, FP_A)
    with pytest.raises(CommitmentMismatch):
        answerer.on_reveal(offerer.reveal())


def test_tampered_reveal_is_caught():
    offerer = Offerer(FP_O)
    answerer = Answerer.from_offer(offerer.commit_attribute, FP_O, FP_A)
    offerer.on_answer(answerer.nonce_attribute, FP_A)
    with pytest.raises(CommitmentMismatch):
        answerer.on_reveal(reveal_body(flip(offerer.nonce, 0)))
    assert answerer.peer_nonce is None  # nothing accepted


def test_replaced_offer_fingerprint_with_relayed_commitment_is_caught():
    """A MITM relays O's commitment but names its own certificate towards A."""
    offerer = Offerer(FP_O)
    mallory_fp = hashlib.sha256(b"mallory").digest()
    answerer = Answerer.from_offer(offerer.commit_attribute, mallory_fp, FP_A)
    offerer.on_answer(answerer.nonce_attribute, FP_A)
    with pytest.raises(CommitmentMismatch):
        answerer.on_reveal(offerer.reveal())


def test_tampered_answer_nonce_or_fingerprint_gives_the_offerer_another_sas():
    for nonce_attribute, fingerprint in (
        (encode(flip(N_A, 3)), FP_A),
        (encode(N_A), flip(FP_A, 3)),
    ):
        offerer = Offerer(FP_O, nonce=N_O)
        sas_o = offerer.on_answer(nonce_attribute, fingerprint)
        answerer = Answerer(FP_A, FP_O, commitment(N_O, FP_O), nonce=N_A)
        assert answerer.on_reveal(offerer.reveal()) != sas_o


def test_second_different_reveal_or_answer_is_refused():
    offerer = Offerer(FP_O)
    answerer, sas_o, _ = exchange(offerer)
    assert answerer.on_reveal(offerer.reveal()) == sas_o  # a retransmission is fine
    with pytest.raises(CommitmentMismatch):
        answerer.on_reveal(reveal_body(flip(offerer.nonce, 9)))
    assert offerer.on_answer(answerer.nonce_attribute, FP_A) == sas_o
    with pytest.raises(SasError):
        offerer.on_answer(encode(flip(answerer.nonce, 1)), FP_A)
    with pytest.raises(SasError):
        offerer.on_answer(answerer.nonce_attribute, flip(FP_A, 1))


def test_man_in_the_middle_gets_two_different_sas_values():
    """Mallory runs both legs honestly with her own certificates and nonces (the best she
    can do without grinding, which the commitment defeats): the users read different
    strings. Deterministic nonces, so this test never fails by chance."""
    for seed in range(200):
        rng = random.Random(seed)
        fp_m = rand32(rng)
        alice = Offerer(FP_O, nonce=rand32(rng))
        mallory_as_answerer = Answerer.from_offer(alice.commit_attribute, FP_O, fp_m)
        mallory_as_answerer.nonce = rand32(rng)
        mallory_as_offerer = Offerer(fp_m, nonce=rand32(rng))
        bob = Answerer.from_offer(mallory_as_offerer.commit_attribute, fp_m, FP_A)
        bob.nonce = rand32(rng)
        sas_alice = alice.on_answer(mallory_as_answerer.nonce_attribute, fp_m)
        mallory_as_answerer.on_reveal(alice.reveal())
        mallory_as_offerer.on_answer(bob.nonce_attribute, FP_A)
        sas_bob = bob.on_reveal(mallory_as_offerer.reveal())
        assert sas_alice != sas_bob, seed


def test_nonces_never_appear_in_reprs():
    offerer = Offerer(FP_O)
    answerer = Answerer.from_offer(offerer.commit_attribute, FP_O, FP_A)
    for obj, nonce in ((offerer, offerer.nonce), (answerer, answerer.nonce)):
        text = repr(obj)
        assert encode(nonce) not in text and repr(nonce) not in text


def test_constructors_check_lengths():
    with pytest.raises(SasError):
        Offerer(FP_O[:31])
    with pytest.raises(SasError):
        Offerer(FP_O, nonce=b"short")
    with pytest.raises(SasError):
        Answerer.from_offer("not base64!", FP_O, FP_A)
    with pytest.raises(SasError):
        Answerer(FP_A, FP_O, b"\x00" * 31)
