"""What organisers do with their webhooks: register, list, change, remove, and read the delivery log."""

from __future__ import annotations

import uuid
from collections import defaultdict

from msgspec import UNSET
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from service.core.errors import NotFoundError
from service.core.schemas import Page
from service.core.time import utcnow, zone
from service.events.models import Event
from service.live.webhooks.guard import check_reachable
from service.live.webhooks.models import DeliveryState, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from service.live.webhooks.schemas import (
    AttemptOut,
    DeliveryOut,
    WebhookCreate,
    WebhookCreated,
    WebhookOut,
    WebhookUpdate,
)
from service.live.webhooks.signing import new_secret
from service.settings import Settings


def message_id(delivery_id: uuid.UUID) -> str:
    """The ``webhook-id`` of a message: the same on every attempt, so receivers can de-duplicate."""
    return f"msg_{delivery_id.hex}"


def webhook_out(endpoint: WebhookEndpoint, event: Event) -> WebhookOut:
    return WebhookOut(
        id=endpoint.id,
        url=endpoint.url,
        description=endpoint.description,
        enabled=endpoint.enabled,
        disabled_reason=endpoint.disabled_reason,
        consecutive_failures=endpoint.consecutive_failures,
        created_at=endpoint.created_at.astimezone(zone(event.timezone)),
    )


class WebhookService:
    def __init__(self, session: AsyncSession, settings: Settings) -> None:
        self.session = session
        self.settings = settings

    async def register(self, event: Event, data: WebhookCreate) -> WebhookCreated:
        await check_reachable(data.url, self.settings)
        endpoint = WebhookEndpoint(event_id=event.id, url=data.url, description=data.description, secret=new_secret())
        self.session.add(endpoint)
        await self.session.flush()
        shown = webhook_out(endpoint, event)
        fields = {name: getattr(shown, name) for name in shown.__struct_fields__}
        return WebhookCreated(**fields, secret=endpoint.secret)

    async def endpoints(self, event: Event) -> list[WebhookOut]:
        rows = await self.session.scalars(
            select(WebhookEndpoint).where(WebhookEndpoint.event_id == event.id).order_by(WebhookEndpoint.created_at)
        )
        return [webhook_out(row, event) for row in rows]

    async def endpoint(self, event: Event, endpoint_id: uuid.UUID) -> WebhookEndpoint:
        """The endpoint, if it belongs to ``event`` (another event's reads as unknown)."""
        found = await self.session.scalar(
            select(WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id, WebhookEndpoint.event_id == event.id)
        )
        if found is None:
            raise NotFoundError(f"There is no webhook {endpoint_id} at '{event.slug}'.", field="webhook_id")
        return found

    async def shown(self, event: Event, endpoint_id: uuid.UUID) -> WebhookOut:
        return webhook_out(await self.endpoint(event, endpoint_id), event)

    async def change(self, event: Event, endpoint_id: uuid.UUID, data: WebhookUpdate) -> WebhookOut:
        endpoint = await self.endpoint(event, endpoint_id)
        if data.url is not UNSET:
            await check_reachable(data.url, self.settings)
            endpoint.url = data.url
        if data.description is not UNSET:
            endpoint.description = data.description
        if data.enabled is not UNSET and data.enabled != endpoint.enabled:
            endpoint.enabled = data.enabled
            endpoint.consecutive_failures = 0
            endpoint.disabled_reason = None if data.enabled else "disabled by an organiser"
            if data.enabled:  # what was owed while it was off is sent now, not at its last backoff
                await self.session.execute(
                    update(WebhookDelivery)
                    .where(WebhookDelivery.endpoint_id == endpoint.id, WebhookDelivery.state == DeliveryState.PENDING)
                    .values(next_attempt_at=utcnow())
                )
        await self.session.flush()
        return webhook_out(endpoint, event)

    async def remove(self, event: Event, endpoint_id: uuid.UUID) -> None:
        await self.session.delete(await self.endpoint(event, endpoint_id))
        await self.session.flush()

    async def deliveries(self, event: Event, endpoint_id: uuid.UUID, limit: int, offset: int) -> Page[DeliveryOut]:
        """The endpoint's messages, newest first, each with its attempts, oldest first."""
        endpoint = await self.endpoint(event, endpoint_id)
        where = WebhookDelivery.endpoint_id == endpoint.id
        total = await self.session.scalar(select(func.count()).select_from(WebhookDelivery).where(where))
        rows = (
            await self.session.scalars(
                select(WebhookDelivery)
                .where(where)
                .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.version.desc(), WebhookDelivery.id)
                .limit(limit)
                .offset(offset)
            )
        ).all()
        attempts: defaultdict[uuid.UUID, list[WebhookAttempt]] = defaultdict(list)
        for attempt in await self.session.scalars(
            select(WebhookAttempt)
            .where(WebhookAttempt.delivery_id.in_([row.id for row in rows]))
            .order_by(WebhookAttempt.number)
        ):
            attempts[attempt.delivery_id].append(attempt)
        tz = zone(event.timezone)
        items = [
            DeliveryOut(
                id=message_id(row.id),
                version=row.version,
                state=row.state,
                next_attempt_at=row.next_attempt_at.astimezone(tz) if row.state == DeliveryState.PENDING else None,
                created_at=row.created_at.astimezone(tz),
                attempts=[
                    AttemptOut(
                        number=attempt.number,
                        at=attempt.created_at.astimezone(tz),
                        status_code=attempt.status_code,
                        error=attempt.error,
                        duration_ms=attempt.duration_ms,
                    )
                    for attempt in attempts[row.id]
                ],
            )
            for row in rows
        ]
        return Page(items=items, total=total or 0, limit=limit, offset=offset)
