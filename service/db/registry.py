"""Import every domain's models so the metadata (and Alembic) sees all tables."""

from service.db.base import metadata
from service.events.models import Event
from service.organisers.models import ApiToken
from service.schedule.models import Room, ScheduleChange, Slot, Talk, TalkSpeaker, Track
from service.speakers.models import Speaker

__all__ = ["ApiToken", "Event", "Room", "ScheduleChange", "Slot", "Speaker", "Talk", "TalkSpeaker", "Track", "metadata"]
