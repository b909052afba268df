"""Import every domain's models so the metadata (and Alembic) sees all tables."""

from service.attendees.models import Attendee, Star
from service.db.base import metadata
from service.events.models import Event
from service.organisers.models import ApiToken
from service.schedule.models import Room, ScheduleChange, Slot, Talk, TalkSpeaker, Track
from service.schedule.search import talk_search
from service.speakers.models import Speaker
from service.takeaways.models import Takeaway

__all__ = [
    "ApiToken",
    "Attendee",
    "Event",
    "Room",
    "ScheduleChange",
    "Slot",
    "Speaker",
    "Star",
    "Takeaway",
    "Talk",
    "TalkSpeaker",
    "Track",
    "metadata",
    "talk_search",
]
