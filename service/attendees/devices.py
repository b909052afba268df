"""An attendee's devices: each signs in with a token of its own, pairs another, or is revoked."""

from __future__ import annotations

import datetime
import hmac
import time
import uuid
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Exists, delete, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.attendees.models import Attendee, AttendeeDevice, PairingCode
from service.attendees.sealing import CODE_ALPHABET, CODE_LENGTH, new_pairing_code, seal, typed_code, unseal
from service.core.errors import InvalidFieldError, NotFoundError
from service.core.secrets import hash_secret, new_secret, secret_matches
from service.core.time import utcnow
from service.events.models import Event

PAIRING_CODE_LIFETIME = datetime.timedelta(minutes=10)
LAST_USED_PRECISION = datetime.timedelta(minutes=1)
"""``last_used_at`` is written when it is older than this, not on every request."""
REMEMBERED_AUTHORS = 10_000
"""Signed-in devices a worker remembers for writing, least recently used first out (a few hundred
bytes each)."""


class PairingCodeError(InvalidFieldError):
    """A code that pairs nothing. Mistyped, used, expired or another event's: one answer for all,
    so a guesser learns nothing from it."""

    code = "invalid_pairing_code"


@dataclass(frozen=True, slots=True)
class SignedIn:
    """The device a request came from, its attendee, and the secret it presented (which opens
    the device's sealed calendar secret; it is never stored)."""

    attendee: Attendee
    device: AttendeeDevice
    secret: str


@dataclass(frozen=True, slots=True)
class Author:
    """A device that signed in lately, as a write remembers it: who, and nothing that can go stale.

    Whoever writes with it must check, in the statement that writes, that the device is still
    signed in (``still_signed_in``): a revoked device, or a forgotten attendee, is then refused at
    once in every worker, whatever each one remembers."""

    attendee_id: uuid.UUID
    device_id: uuid.UUID


def still_signed_in(device_id: ColumnElement[uuid.UUID], attendee_id: ColumnElement[uuid.UUID]) -> Exists:
    """Whether that device is still signed in as that attendee: the condition of every write by an
    ``Author``. Core columns, so that a statement carrying it stays a Core statement."""
    device = AttendeeDevice.__table__
    return exists().where(device.c.id == device_id, device.c.attendee_id == attendee_id)


@dataclass(frozen=True, slots=True)
class _Remembered:
    author: Author
    token_hash: str
    until: float
    """``time.monotonic()`` when the device's ``last_used_at`` is due again: the full sign-in notes it."""


class RememberedAuthors:
    """This worker's memory of the devices that wrote lately, so that a write needs no sign-in query.

    Only the token's hash is kept (checked in constant time, as the database's copy is), and only
    until the device's ``last_used_at`` is due to be written again, so the full sign-in still notes
    every device's use at the same rate as before. Nothing here decides that a device is still
    signed in: see ``Author``.
    """

    def __init__(self, capacity: int = REMEMBERED_AUTHORS) -> None:
        self.capacity = capacity
        self._by_device: OrderedDict[uuid.UUID, _Remembered] = OrderedDict()

    def recall(self, presented: str) -> Author | None:
        """The author of this token if remembered and not due for a full sign-in; else ``None``."""
        device_id, _, secret = presented.partition(".")
        try:
            key = uuid.UUID(device_id)
        except ValueError:
            return None
        known = self._by_device.get(key)
        if known is None:
            return None
        if time.monotonic() >= known.until:
            del self._by_device[key]
            return None
        if not hmac.compare_digest(known.token_hash, hash_secret(secret)):
            return None  # the full sign-in refuses it; the device's own token stays remembered
        self._by_device.move_to_end(key)
        return known.author

    def remember(self, signed_in: SignedIn) -> Author:
        device = signed_in.device
        author = Author(attendee_id=signed_in.attendee.id, device_id=device.id)
        last_used = device.last_used_at or utcnow()
        until = time.monotonic() + (last_used + LAST_USED_PRECISION - utcnow()).total_seconds()
        self._by_device[device.id] = _Remembered(author, device.token_hash, until)
        self._by_device.move_to_end(device.id)
        while len(self._by_device) > self.capacity:
            self._by_device.popitem(last=False)
        return author


@dataclass(frozen=True, slots=True)
class Enrolment:
    """A device just signed in: its token and the calendar secret, shown this once."""

    attendee: Attendee
    device: AttendeeDevice
    token: str
    feed_secret: str


@dataclass(frozen=True, slots=True)
class NewPairingCode:
    code: str
    expires_at: datetime.datetime


class DeviceService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def enrol(self, attendee: Attendee, name: str, feed_secret: str) -> Enrolment:
        """A new device of ``attendee``, holding the calendar secret sealed with its own token."""
        secret = new_secret()
        device = AttendeeDevice(
            id=uuid.uuid4(),
            attendee_id=attendee.id,
            name=name.strip(),
            token_hash=hash_secret(secret),
            sealed_feed_secret=seal(feed_secret, secret),
            created_at=(now := utcnow()),
            last_used_at=now,
        )
        self.session.add(device)
        await self.session.flush()
        return Enrolment(attendee=attendee, device=device, token=f"{device.id}.{secret}", feed_secret=feed_secret)

    async def authenticate(self, presented: str, *, writing: bool) -> SignedIn | None:
        """The device whose token this is, and its attendee; ``None`` for a wrong or revoked one.

        Only a request that writes anyway notes when the device was last used: a read that wrote
        would wait on another writer's lock (a 503 instead of the answer) for a timestamp."""
        device_id, _, secret = presented.partition(".")
        try:
            key = uuid.UUID(device_id)
        except ValueError:
            return None
        found = (
            await self.session.execute(
                select(AttendeeDevice, Attendee)
                .join(Attendee, Attendee.id == AttendeeDevice.attendee_id)
                .where(AttendeeDevice.id == key)
            )
        ).one_or_none()
        matches = secret_matches(secret, found[0].token_hash if found else None)
        if found is None or not matches:
            return None
        device, attendee = found
        now = utcnow()
        if writing and (device.last_used_at is None or now - device.last_used_at >= LAST_USED_PRECISION):
            device.last_used_at = now  # written with the request's transaction
        return SignedIn(attendee=attendee, device=device, secret=secret)

    async def devices(self, attendee: Attendee) -> Sequence[AttendeeDevice]:
        return (
            await self.session.scalars(
                select(AttendeeDevice)
                .where(AttendeeDevice.attendee_id == attendee.id)
                .order_by(AttendeeDevice.created_at, AttendeeDevice.id)
            )
        ).all()

    async def revoke(self, attendee: Attendee, device_id: uuid.UUID) -> None:
        """Sign a device out: its token stops working with this request's commit."""
        result = await self.session.execute(
            delete(AttendeeDevice)
            .where(AttendeeDevice.id == device_id, AttendeeDevice.attendee_id == attendee.id)
            .execution_options(synchronize_session=False)
        )
        if not result.rowcount:  # type: ignore[attr-defined]
            raise NotFoundError(
                f"You have no device {device_id} (it may have been signed out already).",
                field="device_id",
                expected="device",
            )

    async def pairing_code(self, signed_in: SignedIn) -> NewPairingCode:
        """A fresh code for this attendee, replacing any earlier one."""
        attendee = signed_in.attendee
        code = new_pairing_code()
        feed_secret = unseal(signed_in.device.sealed_feed_secret, signed_in.secret, attendee.feed_token_hash)
        expires_at = utcnow() + PAIRING_CODE_LIFETIME
        await self.session.execute(delete(PairingCode).where(PairingCode.attendee_id == attendee.id))
        self.session.add(
            PairingCode(
                attendee_id=attendee.id,
                code_hash=hash_secret(code),
                sealed_feed_secret=seal(feed_secret, code) if feed_secret else None,
                expires_at=expires_at,
            )
        )
        await self.session.flush()
        return NewPairingCode(code=code, expires_at=expires_at)

    async def pair(self, event: Event, typed: str, device_name: str) -> Enrolment:
        """Sign a new device in as the attendee whose code this is, spending the code."""
        code = typed_code(typed)
        if len(code) != CODE_LENGTH or not set(code) <= set(CODE_ALPHABET):
            raise _no_such_code()
        # Deleting is the check: of two devices racing with one code, only one deletes the row.
        spent = (
            await self.session.execute(
                delete(PairingCode)
                .where(
                    PairingCode.code_hash == hash_secret(code),
                    PairingCode.expires_at > utcnow(),
                    PairingCode.attendee_id.in_(select(Attendee.id).where(Attendee.event_id == event.id)),
                )
                .returning(PairingCode.attendee_id, PairingCode.sealed_feed_secret)
                .execution_options(synchronize_session=False)
            )
        ).one_or_none()
        if spent is None:
            raise _no_such_code()
        attendee = await self.session.get_one(Attendee, spent.attendee_id)
        feed_secret = unseal(spent.sealed_feed_secret, code, attendee.feed_token_hash)
        if feed_secret is None:
            # The pairing device could not hand the calendar on (it signed in before pairing
            # existed, or the URL was replaced on another device): the new device gets a new URL.
            feed_secret = new_secret()
            attendee.feed_token_hash = hash_secret(feed_secret)
        return await self.enrol(attendee, device_name, feed_secret)

    async def replace_feed(self, signed_in: SignedIn) -> str:
        """A new calendar secret, sealed for the device that asked (others' copies go stale)."""
        feed_secret = new_secret()
        signed_in.attendee.feed_token_hash = hash_secret(feed_secret)
        signed_in.device.sealed_feed_secret = seal(feed_secret, signed_in.secret)
        await self.session.flush()
        return feed_secret


def _no_such_code() -> PairingCodeError:
    return PairingCodeError(
        "code: this pairing code does not work. It may be mistyped, used already or expired (a code "
        f"lasts {PAIRING_CODE_LIFETIME.seconds // 60} minutes and is for one event): make a new one "
        "on a device that is signed in.",
        field="code",
    )
