"""The delivery worker, one per process: claims what is due in the outbox, POSTs it signed, logs
the attempt, and schedules a retry (exponential backoff with jitter) or gives up.

A claim is a lease: the claimed row's ``next_attempt_at`` moves past the attempt's timeout, and
its ``attempts`` counter moves on, so no other worker sends the message meanwhile (PostgreSQL
skips rows another worker is claiming; the counter settles any race on SQLite). A worker killed
mid-attempt leaves the lease to run out, and the message is sent again with the same id.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import logging
import random
import time
import uuid
from collections.abc import AsyncGenerator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass

import httpx
from advanced_alchemy.extensions.litestar import SQLAlchemyAsyncConfig
from litestar import Litestar
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from service.core.time import utcnow
from service.live.webhooks import outbox
from service.live.webhooks.guard import UnsafeUrlError, check_reachable
from service.live.webhooks.models import DeliveryState, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from service.live.webhooks.services import message_id
from service.live.webhooks.signing import signed_headers
from service.settings import Settings

logger = logging.getLogger("plenary.webhooks")

BATCH = 20
"""Messages one worker sends at once."""
LEASE_MARGIN = datetime.timedelta(seconds=5)
"""Beyond the timeout, how long a claimed message stays a worker's before another may send it."""
INTERRUPTED = "interrupted: the sending worker stopped before an answer came"


@dataclass(frozen=True)
class Claim:
    delivery_id: uuid.UUID
    attempt_id: uuid.UUID
    number: int
    endpoint_id: uuid.UUID
    url: str
    secret: str
    payload: str


@dataclass(frozen=True)
class Outcome:
    status_code: int | None = None
    error: str | None = None

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def backoff(settings: Settings, attempt: int) -> datetime.timedelta:
    """The wait after failed attempt number ``attempt``: doubling, capped, in the upper half at random
    (so receivers that came back are not hit by every sender at the same moment)."""
    ceiling = min(settings.webhook_retry_max_seconds, settings.webhook_retry_base_seconds * 2 ** (attempt - 1))
    return datetime.timedelta(seconds=ceiling * random.uniform(0.5, 1.0))  # noqa: S311 - jitter, not a secret


class DeliveryWorker:
    def __init__(self, settings: Settings, engine: AsyncEngine) -> None:
        self.settings = settings
        self.sessions = async_sessionmaker(engine, expire_on_commit=False)

    async def run(self) -> None:
        """Deliver until cancelled: at once when this process commits a change, else every poll."""
        loop = asyncio.get_running_loop()
        wake = asyncio.Event()
        outbox.add_waker(loop, wake)
        try:
            async with httpx.AsyncClient(follow_redirects=False, trust_env=False) as http:
                failing = False
                while True:
                    try:
                        sent = await self.deliver_due(http)
                    except Exception:  # the database is away: look again at the next poll, say so once
                        logger.log(
                            logging.DEBUG if failing else logging.WARNING, "webhook deliveries stalled", exc_info=True
                        )
                        failing, sent = True, 0
                    else:
                        if failing:
                            logger.info("webhook deliveries resumed")
                        failing = False
                    if sent:
                        continue  # more may be due
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(self.settings.webhook_poll_seconds):
                            await wake.wait()
                    wake.clear()
        finally:
            outbox.remove_waker(loop, wake)

    async def deliver_due(self, http: httpx.AsyncClient) -> int:
        """Claim what is due, send it all at once, log each outcome; how many were sent."""
        async with self.sessions() as session:
            claims = await self._claim(session)
        outcomes = await asyncio.gather(*(self._send(http, claim) for claim in claims))
        for claim, (outcome, duration_ms) in zip(claims, outcomes, strict=True):
            async with self.sessions() as session:
                await self._record(session, claim, outcome, duration_ms)
        return len(claims)

    async def _claim(self, session: AsyncSession) -> list[Claim]:
        now = utcnow()
        due = (
            await session.execute(
                select(WebhookDelivery, WebhookEndpoint.url, WebhookEndpoint.secret)
                .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
                .where(
                    WebhookDelivery.state == DeliveryState.PENDING,
                    WebhookDelivery.next_attempt_at <= now,
                    WebhookEndpoint.enabled.is_(True),
                )
                .order_by(WebhookDelivery.next_attempt_at)
                .limit(BATCH)
                .with_for_update(of=WebhookDelivery, skip_locked=True)
            )
        ).all()
        lease_end = now + datetime.timedelta(seconds=self.settings.webhook_timeout_seconds) + LEASE_MARGIN
        claims: list[Claim] = []
        for delivery, url, secret in due:
            taken = await session.execute(
                update(WebhookDelivery)
                .where(WebhookDelivery.id == delivery.id, WebhookDelivery.attempts == delivery.attempts)
                .values(attempts=delivery.attempts + 1, next_attempt_at=lease_end)
                .execution_options(synchronize_session=False)
            )
            if not taken.rowcount:  # type: ignore[attr-defined]  # an UPDATE's result has a rowcount
                continue  # another worker claimed it first
            await session.execute(
                update(WebhookAttempt)
                .where(WebhookAttempt.delivery_id == delivery.id, WebhookAttempt.duration_ms.is_(None))
                .values(error=INTERRUPTED)
            )
            attempt = WebhookAttempt(id=uuid.uuid4(), delivery_id=delivery.id, number=delivery.attempts + 1)
            session.add(attempt)
            claims.append(
                Claim(delivery.id, attempt.id, attempt.number, delivery.endpoint_id, url, secret, delivery.payload)
            )
        await session.commit()
        return claims

    async def _send(self, http: httpx.AsyncClient, claim: Claim) -> tuple[Outcome, int]:
        """POST the message (the host checked again first), cut at the timeout; never raises."""
        timeout = self.settings.webhook_timeout_seconds
        started = time.monotonic()
        outcome: Outcome
        try:
            async with asyncio.timeout(timeout):
                await check_reachable(claim.url, self.settings)
                body = claim.payload.encode()
                headers = signed_headers(claim.secret, message_id(claim.delivery_id), int(time.time()), body)
                # The body of the answer is never read: only its status counts.
                async with http.stream("POST", claim.url, content=body, headers=headers) as response:
                    outcome = Outcome(status_code=response.status_code)
        except UnsafeUrlError as exc:
            outcome = Outcome(error=f"refused: {exc.detail}")
        except TimeoutError:
            outcome = Outcome(error=f"timeout: no answer within {timeout:g} s")
        except httpx.HTTPError as exc:
            outcome = Outcome(error=f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
        duration_ms = round((time.monotonic() - started) * 1000)
        return outcome, duration_ms

    async def _record(self, session: AsyncSession, claim: Claim, outcome: Outcome, duration_ms: int) -> None:
        settings = self.settings
        await session.execute(
            update(WebhookAttempt)
            .where(WebhookAttempt.id == claim.attempt_id)
            .values(status_code=outcome.status_code, error=(outcome.error or "")[:500] or None, duration_ms=duration_ms)
        )
        ours = (WebhookDelivery.id == claim.delivery_id, WebhookDelivery.attempts == claim.number)
        endpoint = WebhookEndpoint.id == claim.endpoint_id
        if outcome.delivered:
            await session.execute(update(WebhookDelivery).where(*ours).values(state=DeliveryState.DELIVERED))
            await session.execute(update(WebhookEndpoint).where(endpoint).values(consecutive_failures=0))
        else:
            final = claim.number >= settings.webhook_max_attempts
            await session.execute(
                update(WebhookDelivery)
                .where(*ours)
                .values(
                    state=DeliveryState.FAILED if final else DeliveryState.PENDING,
                    next_attempt_at=utcnow() + backoff(settings, claim.number),
                )
            )
            failures = await session.scalar(
                update(WebhookEndpoint)
                .where(endpoint)
                .values(consecutive_failures=WebhookEndpoint.consecutive_failures + 1)
                .returning(WebhookEndpoint.consecutive_failures)
            )
            if failures is not None and failures >= settings.webhook_disable_after_failures:
                await session.execute(
                    update(WebhookEndpoint)
                    .where(endpoint, WebhookEndpoint.enabled.is_(True))
                    .values(enabled=False, disabled_reason=f"disabled after {failures} failed attempts in a row")
                )
        await session.commit()
        logger.info(
            "webhook attempt",
            extra={
                "webhook_id": message_id(claim.delivery_id),
                "endpoint_id": str(claim.endpoint_id),
                "attempt": claim.number,
                "status_code": outcome.status_code,
                "error": outcome.error,
                "duration_ms": duration_ms,
            },
        )


def webhook_deliveries(
    settings: Settings, db: SQLAlchemyAsyncConfig
) -> Callable[[Litestar], AbstractAsyncContextManager[None]]:
    """The app's lifespan hook: the outbox is written from now on, and this process delivers it."""

    @asynccontextmanager
    async def running(_: Litestar) -> AsyncGenerator[None]:
        outbox.listen()
        task = asyncio.create_task(DeliveryWorker(settings, db.get_engine()).run(), name="webhook-deliveries")
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    return running
