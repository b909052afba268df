"""What attendees send and get back: registration, pairing, devices."""

from __future__ import annotations

import datetime
from typing import Annotated

import msgspec

from service.attendees.devices import Enrolment, NewPairingCode
from service.attendees.models import AttendeeDevice
from service.attendees.sealing import shown_code
from service.core.bounds import LINE_PATTERN, Body
from service.core.openapi import uuid_path
from service.core.schemas import BaseStruct, FeedLinks, feed_links
from service.core.time import to_local, zone
from service.events.models import Event

DeviceName = Annotated[str, msgspec.Meta(max_length=80, pattern=LINE_PATTERN)]
DeviceId = Annotated[str, uuid_path("A device's id, from `GET /me/devices`.")]


class Registration(Body):
    display_name: Annotated[str, msgspec.Meta(max_length=80, pattern=LINE_PATTERN)] = ""
    """Shown beside your public takeaways; leave empty to stay anonymous. One line, no control characters."""
    join_code: Annotated[str, msgspec.Meta(max_length=64, pattern=LINE_PATTERN)] = ""
    device_name: DeviceName = ""
    """What to call this device in your list of devices ("Phone", say). One line."""


class Pairing(Body):
    code: Annotated[str, msgspec.Meta(max_length=32, pattern=LINE_PATTERN)]
    """The pairing code shown on your signed-in device: `ABCD-EFGH`, with or without the dash, any case."""
    device_name: DeviceName = ""
    """What to call this device in your list of devices ("Laptop", say). One line."""


class Registered(BaseStruct):
    id: str
    """The attendee's id: the same on each of their devices."""
    device_id: str
    """This device's id, as `GET /me/devices` lists it."""
    token: str
    """This device's bearer token. Shown this once: keep it on the device."""
    display_name: str
    event: str
    calendar: FeedLinks
    """Your personal calendar of starred talks. Secret: anyone with the URL can read it."""


class Me(BaseStruct):
    id: str
    display_name: str
    event: str


class PairingCode(BaseStruct):
    code: str
    """Type it on the other device (`ABCD-EFGH`); it works once."""
    expires_at: datetime.datetime
    """Ten minutes from now, in the event's time zone."""
    link: str
    """Opens pairing on the other device with the code filled in; the code is in the fragment,
    which browsers never send to a server."""


class Device(BaseStruct):
    id: str
    name: str
    created_at: datetime.datetime
    last_used_at: datetime.datetime | None
    """When it signed in or last changed something with its token (to the minute or so), in the event's zone."""
    this_device: bool
    """Whether this is the device asking."""


def personal_feed(base: str, feed_secret: str) -> FeedLinks:
    return feed_links(base, f"/calendar/{feed_secret}.ics")


def registered(enrolment: Enrolment, event: Event, base: str) -> Registered:
    return Registered(
        id=str(enrolment.attendee.id),
        device_id=str(enrolment.device.id),
        token=enrolment.token,
        display_name=enrolment.attendee.display_name,
        event=event.slug,
        calendar=personal_feed(base, enrolment.feed_secret),
    )


def device_out(device: AttendeeDevice, event: Event, current: AttendeeDevice) -> Device:
    tz = zone(event.timezone)
    return Device(
        id=str(device.id),
        name=device.name,
        created_at=to_local(device.created_at, tz),
        last_used_at=to_local(device.last_used_at, tz) if device.last_used_at else None,
        this_device=device.id == current.id,
    )


def pairing_code_out(pairing: NewPairingCode, event: Event, base: str) -> PairingCode:
    code = shown_code(pairing.code)
    return PairingCode(
        code=code,
        expires_at=to_local(pairing.expires_at, zone(event.timezone)),
        link=f"{base}/e/{event.slug}/pair#{code}",
    )
