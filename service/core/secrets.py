"""Secrets handed to people: random, shown once, kept only as a hash, checked in constant time."""

from __future__ import annotations

import hashlib
import hmac
import secrets


def new_secret() -> str:
    """256 random bits, URL-safe: a fast hash of it is as good as a slow one."""
    return secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def secret_matches(secret: str, stored_hash: str | None) -> bool:
    """Constant-time check; a missing row is compared too, so it takes the same time."""
    expected = stored_hash if stored_hash is not None else hash_secret("")
    return hmac.compare_digest(expected, hash_secret(secret)) and stored_hash is not None


def presented_bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header (the scheme in any case, any
    whitespace around it), or ``None``. Authentication and the rate limiter read it the same way."""
    parts = (authorization or "").split()
    if len(parts) != 2 or parts[0].lower() != "bearer":
        return None
    return parts[1]
