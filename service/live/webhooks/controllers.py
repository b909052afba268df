"""HTTP routes of webhooks: an event's organisers register endpoints and read their delivery log."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, delete, patch, post
from litestar.di import NamedDependency, Provide
from litestar.params import JSONBody
from litestar.status_codes import HTTP_201_CREATED
from sqlalchemy.ext.asyncio import AsyncSession

from service.core.openapi import TOKEN_SECURITY, problems, uuid_path
from service.core.params import Limit, Offset, parse_id
from service.core.routing import get
from service.core.schemas import DEFAULT_PAGE_SIZE, Page
from service.events.deps import EVENT_DEPENDENCIES
from service.events.models import Event
from service.live.webhooks.schemas import DeliveryOut, WebhookCreate, WebhookCreated, WebhookOut, WebhookUpdate
from service.live.webhooks.services import WebhookService
from service.organisers.deps import provide_event_editor, provide_organiser
from service.organisers.services import Organiser
from service.settings import Settings

WebhookId = Annotated[str, uuid_path("A webhook endpoint's id.")]
WEBHOOK_READ = problems(400, 401, 403, 404)
WEBHOOK_WRITE = problems(400, 401, 403, 404, 413, 422)


async def provide_webhook_service(
    db_session: NamedDependency[AsyncSession], settings: NamedDependency[Settings]
) -> WebhookService:
    return WebhookService(db_session, settings)


class WebhookController(Controller):
    path = "/events/{slug:str}/webhooks"
    tags = ["webhooks"]
    security = TOKEN_SECURITY
    dependencies = {
        **EVENT_DEPENDENCIES,
        "organiser": Provide(provide_organiser),
        "editor": Provide(provide_event_editor),
        "webhooks": Provide(provide_webhook_service),
    }

    @post(
        "/",
        summary="Register a webhook endpoint (organiser token)",
        description="Every schedule change of the event is POSTed to the URL as JSON, signed per Standard "
        "Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`). The answer holds the signing "
        "secret, shown this once. The URL must be https:// on a public host.",
        responses=WEBHOOK_WRITE,
        status_code=HTTP_201_CREATED,
    )
    async def register_webhook(
        self,
        event: NamedDependency[Event],
        editor: NamedDependency[Organiser],
        webhooks: NamedDependency[WebhookService],
        data: JSONBody[WebhookCreate],
    ) -> WebhookCreated:
        return await webhooks.register(event, data)

    @get("/", summary="The event's webhook endpoints (organiser token)", responses=WEBHOOK_READ)
    async def list_webhooks(
        self,
        event: NamedDependency[Event],
        editor: NamedDependency[Organiser],
        webhooks: NamedDependency[WebhookService],
    ) -> list[WebhookOut]:
        return await webhooks.endpoints(event)

    @get("/{webhook_id:str}", summary="One webhook endpoint (organiser token)", responses=WEBHOOK_READ)
    async def get_webhook(
        self,
        event: NamedDependency[Event],
        editor: NamedDependency[Organiser],
        webhooks: NamedDependency[WebhookService],
        webhook_id: WebhookId,
    ) -> WebhookOut:
        return await webhooks.shown(event, parse_id(webhook_id, "webhook_id"))

    @patch(
        "/{webhook_id:str}",
        summary="Change or re-enable a webhook endpoint (organiser token)",
        description="`enabled: true` resumes an endpoint disabled after repeated failures; what it was owed "
        "is sent at once.",
        responses=WEBHOOK_WRITE,
    )
    async def change_webhook(
        self,
        event: NamedDependency[Event],
        editor: NamedDependency[Organiser],
        webhooks: NamedDependency[WebhookService],
        webhook_id: WebhookId,
        data: JSONBody[WebhookUpdate],
    ) -> WebhookOut:
        return await webhooks.change(event, parse_id(webhook_id, "webhook_id"), data)

    @delete(
        "/{webhook_id:str}",
        summary="Remove a webhook endpoint (organiser token)",
        description="Messages still owed to it are dropped with it.",
        responses=WEBHOOK_READ,
    )
    async def remove_webhook(
        self,
        event: NamedDependency[Event],
        editor: NamedDependency[Organiser],
        webhooks: NamedDependency[WebhookService],
        webhook_id: WebhookId,
    ) -> None:
        await webhooks.remove(event, parse_id(webhook_id, "webhook_id"))

    @get(
        "/{webhook_id:str}/deliveries",
        summary="The delivery log of a webhook endpoint (organiser token)",
        description="Its messages, newest first, each with every attempt: status code or error, duration, when.",
        responses=WEBHOOK_READ,
    )
    async def list_deliveries(
        self,
        event: NamedDependency[Event],
        editor: NamedDependency[Organiser],
        webhooks: NamedDependency[WebhookService],
        webhook_id: WebhookId,
        limit: Limit = DEFAULT_PAGE_SIZE,
        offset: Offset = 0,
    ) -> Page[DeliveryOut]:
        return await webhooks.deliveries(event, parse_id(webhook_id, "webhook_id"), limit, offset)
