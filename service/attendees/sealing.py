"""Pairing codes, and the calendar secret sealed so that only a device's own token opens it.

The personal calendar's secret is stored as a hash, like every secret here; yet a device paired
later should be handed the same calendar URL. So each device keeps that secret *sealed* with its
own bearer secret, which the server sees only while that device is calling: the database alone
opens nothing. Pairing re-seals it with the pairing code for the new device, and then with the
new device's secret.

A seal is the value XOR an HMAC-SHA-512 keystream keyed by the sealing secret. The HMAC message
is the value's own hash, so one key never seals two values with the same keystream, and opening
checks that hash: a seal made for a calendar secret that has since been replaced opens to nothing.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets

from service.core.secrets import hash_secret

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
"""Digits and capitals without 0/O, 1/I/L: nothing that reads as something else on a screen."""
CODE_LENGTH = 8
"""31^8 is about 2^39.6 codes: with a 10-minute life and the rate limit, out of a guesser's reach."""


def new_pairing_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def shown_code(code: str) -> str:
    """``ABCD-EFGH``: two groups of four are easier to read out and type."""
    return f"{code[:4]}-{code[4:]}"


def typed_code(typed: str) -> str:
    """A code as typed (any case, with or without the dash or spaces), as it is stored."""
    return "".join(typed.split()).replace("-", "").upper()


def seal(value: str, key: str) -> str:
    data = value.encode()
    sealed = bytes(a ^ b for a, b in zip(data, _keystream(key, hash_secret(value), len(data)), strict=True))
    return base64.urlsafe_b64encode(sealed).decode().rstrip("=")


def unseal(sealed: str | None, key: str, value_hash: str) -> str | None:
    """The value sealed with ``key`` whose hash is ``value_hash``; ``None`` if there is none."""
    if not sealed:
        return None
    try:
        data = base64.urlsafe_b64decode(sealed + "=" * (-len(sealed) % 4))
    except (binascii.Error, ValueError):
        return None
    if len(data) > hashlib.sha512().digest_size:
        return None
    opened = bytes(a ^ b for a, b in zip(data, _keystream(key, value_hash, len(data)), strict=True))
    try:
        value = opened.decode()
    except UnicodeDecodeError:
        return None
    return value if hmac.compare_digest(hash_secret(value), value_hash) else None


def _keystream(key: str, value_hash: str, length: int) -> bytes:
    if length > hashlib.sha512().digest_size:
        raise ValueError("a sealed value is at most 64 bytes")
    return hmac.new(key.encode(), value_hash.encode(), hashlib.sha512).digest()[:length]
