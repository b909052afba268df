"""The schedule's query parameters, shared by the JSON schedule and the calendar feeds."""

from __future__ import annotations

import datetime
import uuid
from typing import Annotated

from litestar.openapi.spec import Example
from litestar.params import QueryParameter

from service.schedule.models import TalkKind
from service.schedule.services import MAX_QUERY_LENGTH, ScheduleFilter

DayParam = Annotated[
    datetime.date | None,
    QueryParameter(
        description="Only this schedule day (local date, `YYYY-MM-DD`); a day starts at the day-change time."
    ),
]
RoomParam = Annotated[str | None, QueryParameter(description="Only talks in the room with this slug.", max_length=100)]
TrackParam = Annotated[
    str | None, QueryParameter(description="Only talks in the track with this slug.", max_length=100)
]
SpeakerParam = Annotated[uuid.UUID | None, QueryParameter(description="Only talks this speaker (id) takes part in.")]
KindParam = Annotated[
    TalkKind | None, QueryParameter(description="Only slots of this kind (talk, keynote, break, ...).")
]
QueryParam = Annotated[
    str | None,
    QueryParameter(
        description="Words, in any order, each matching the start of a word of the title, subtitle, abstract, "
        "speaker names, track or room (case and accents ignored): `loss spik` finds 'Spikes in the loss'.",
        min_length=1,
        max_length=MAX_QUERY_LENGTH,
    ),
]
AtParam = Annotated[
    str | None,
    QueryParameter(
        description="The instant to look at (ISO 8601; without an offset it is read as the event's local time). "
        "Defaults to now.",
        examples=[Example(value="2025-06-20T10:40:00+02:00")],
        max_length=40,
    ),
]


def provide_schedule_filter(
    day: DayParam = None,
    room: RoomParam = None,
    track: TrackParam = None,
    speaker: SpeakerParam = None,
    kind: KindParam = None,
    q: QueryParam = None,
) -> ScheduleFilter:
    """The schedule's filters, declared once for the JSON schedule and the calendar feeds."""
    return ScheduleFilter.checked(day=day, room=room, track=track, speaker=speaker, kind=kind, q=q)
