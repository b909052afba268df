"""HTTP routes of the live streams: one event's schedule, and one attendee's own view of it."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated

from litestar import Controller
from litestar.di import NamedDependency, Provide
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import HeaderParameter, QueryParameter
from litestar.response import Stream
from sqlalchemy.ext.asyncio import AsyncSession

from service.attendees.deps import provide_attendee
from service.attendees.models import Attendee
from service.core.bounds import INT_MAX
from service.core.openapi import TOKEN_SECURITY, problems
from service.core.routing import get
from service.events.deps import EVENT_DEPENDENCIES
from service.events.models import Event
from service.live.hub import LiveHub
from service.live.streams import LAST_EVENT_ID, attendee_stream, resume_attendee, resume_version, schedule_stream

EVENT_STREAM = "text/event-stream"

LastEventId = Annotated[
    str | None,
    HeaderParameter(
        name=LAST_EVENT_ID,
        description="The `id` of the last event you received: the stream resumes right after it "
        "(browsers' EventSource sends it when reconnecting).",
        schema_extra={"type": "string", "oneOf": None, "maxLength": 40},
    ),
]
SinceVersion = Annotated[
    int | None,
    QueryParameter(ge=0, le=INT_MAX, description="Resume after this schedule version (`Last-Event-ID` wins)."),
]
SinceId = Annotated[
    str | None,
    QueryParameter(max_length=40, description="Resume after this event `id` (`Last-Event-ID` wins)."),
]

STREAM_HELP = (
    " Server-sent events (`text/event-stream`). A comment line (`: keep-alive`) comes at least every "
    "`PLENARY_LIVE_HEARTBEAT_SECONDS` (15 s by default) so proxies keep the stream open. Reconnect "
    "with the last `id` you saw as `Last-Event-ID` and nothing is missed or repeated, even across a "
    "server restart. A worker serves at most `PLENARY_LIVE_MAX_STREAMS` streams (503 with "
    "`Retry-After` beyond), and ends a stream whose client stops reading: reconnect and resume."
)

STREAM_RESPONSE = ResponseSpec(
    data_container=str,
    media_type=EVENT_STREAM,
    description="A stream of server-sent events, open until the client leaves.",
    generate_examples=False,
)


def event_stream(events: AsyncGenerator[bytes]) -> Stream:
    """Server-sent events already encoded (a version's event is encoded once for all its streams),
    with the headers that keep caches and proxies from holding them back."""
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return Stream(events, media_type=EVENT_STREAM, headers=headers)


class LiveController(Controller):
    tags = ["live"]
    dependencies = {**EVENT_DEPENDENCIES, "attendee": Provide(provide_attendee)}

    @get(
        "/events/{slug:str}/live",
        summary="Schedule changes as they happen",
        description="One `change` event per schedule version: `id` is the version, `data` is "
        '`{"version": …, "changes": [...]}` with the items of `GET /events/{slug}/changes`. '
        "Without `Last-Event-ID` or `since` the stream starts at the current version." + STREAM_HELP,
        media_type=EVENT_STREAM,
        responses={200: STREAM_RESPONSE, **problems(400, 404, 503)},
    )
    async def schedule(
        self,
        event: NamedDependency[Event],
        live_hub: NamedDependency[LiveHub],
        last_event_id: LastEventId = None,
        since: SinceVersion = None,
    ) -> Stream:
        start = resume_version(last_event_id, since, event.schedule_version)
        live_hub.check_room()
        return event_stream(schedule_stream(live_hub, event.id, start))

    @get(
        "/me/live",
        summary="Changes that concern me: my starred talks, my notes from my other devices",
        description="`change` events carry the changes to talks you starred (moved, cancelled, "
        "retitled …) in the shape of `/events/{slug}/live`; `takeaways` events carry your notes "
        "changed since (the shape of `GET /me/takeaways?since=`). The `id` is "
        "`<schedule version>.<notes position>`." + STREAM_HELP,
        media_type=EVENT_STREAM,
        security=TOKEN_SECURITY,
        responses={200: STREAM_RESPONSE, **problems(400, 401, 503)},
    )
    async def mine(
        self,
        attendee: NamedDependency[Attendee],
        db_session: NamedDependency[AsyncSession],
        live_hub: NamedDependency[LiveHub],
        last_event_id: LastEventId = None,
        since: SinceId = None,
    ) -> Stream:
        event = await db_session.get_one(Event, attendee.event_id)
        field = LAST_EVENT_ID if last_event_id is not None else "since"
        version, position = resume_attendee(last_event_id or since, field, event.schedule_version, attendee)
        live_hub.check_room()
        return event_stream(attendee_stream(live_hub, attendee.id, event.id, version, position))
