"""What organisers send to register a webhook endpoint, and what they see of it and its deliveries."""

from __future__ import annotations

import datetime
import uuid
from typing import Annotated

from msgspec import UNSET, Meta, UnsetType

from service.core.bounds import Body, anchored
from service.core.fields import Line
from service.core.schemas import BaseStruct
from service.live.webhooks.models import DeliveryState

WebhookUrl = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=2000,
        pattern=anchored(r"[^\s\x00-\x1f\x7f-\x9f]+"),
        description="An https:// URL on a public host; each schedule change is POSTed to it.",
        examples=["https://hooks.example.org/plenary"],
    ),
]
Description = Annotated[Line, Meta(max_length=500)]


class WebhookCreate(Body):
    url: WebhookUrl
    description: Description = ""


class WebhookUpdate(Body):
    url: WebhookUrl | UnsetType = UNSET
    description: Description | UnsetType = UNSET
    enabled: bool | UnsetType = UNSET
    """``true`` resumes a disabled endpoint (its failure count starts again from 0) and its pending messages."""


class WebhookOut(BaseStruct):
    id: uuid.UUID
    url: str
    description: str
    enabled: bool
    disabled_reason: str | None
    """Why the endpoint stopped receiving, when it did (too many failures in a row, or its organiser)."""
    consecutive_failures: int
    created_at: datetime.datetime


class WebhookCreated(WebhookOut):
    secret: str
    """The signing secret (``whsec_`` + base64), shown this once: verify ``webhook-signature`` with it."""


class AttemptOut(BaseStruct):
    number: int
    at: datetime.datetime
    status_code: int | None
    """The receiver's HTTP status; absent when it never answered (see ``error``)."""
    error: str | None
    """Why the attempt failed without a status (timeout, refused address, connection), if it did."""
    duration_ms: int | None
    """Milliseconds from the start of the attempt to its outcome; absent while it is in flight."""


class DeliveryOut(BaseStruct):
    id: str
    """The ``webhook-id`` every attempt of this message carries."""
    version: int
    """The schedule version of the change it tells of."""
    state: DeliveryState
    next_attempt_at: datetime.datetime | None
    """When it is sent (again), while pending."""
    created_at: datetime.datetime
    attempts: list[AttemptOut]
