"""Dependencies of the schedule routes, declared once."""

from __future__ import annotations

from litestar.di import NamedDependency, Provide
from sqlalchemy.ext.asyncio import AsyncSession

from service.events.models import Event
from service.organisers.deps import provide_event_editor, provide_organiser
from service.organisers.services import Organiser
from service.schedule.editing import SetupEditor
from service.schedule.services import ScheduleService


def provide_schedule_service(db_session: NamedDependency[AsyncSession]) -> ScheduleService:
    # A plain function, not create_service_provider: see provide_events_service in service/events/deps.py.
    return ScheduleService(session=db_session)


def provide_schedule_editor(
    event: NamedDependency[Event], db_session: NamedDependency[AsyncSession], editor: NamedDependency[Organiser]
) -> SetupEditor:
    """The editor for this event, only once the token is known to be allowed to use it."""
    return SetupEditor(db_session, event)


EDITING_DEPENDENCIES = {
    "organiser": Provide(provide_organiser),
    "editor": Provide(provide_event_editor),
    "schedule_editor": Provide(provide_schedule_editor, sync_to_thread=False),
}
"""What the organisers' routes need: a token allowed to change this event, and the editor."""
