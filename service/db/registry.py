"""Import every domain's models so the metadata (and Alembic) sees all tables."""

from service.attendees.models import Attendee, AttendeeDevice, PairingCode, Star
from service.db.base import metadata
from service.events.models import Event
from service.live.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from service.organisers.models import ApiToken
from service.schedule.models import Room, ScheduleChange, Slot, Talk, TalkSpeaker, Track
from service.schedule.search import talk_search
from service.speakers.models import Speaker
from service.takeaways.models import Takeaway

__all__ = [
    "ApiToken",
    "Attendee",
    "AttendeeDevice",
    "Event",
    "PairingCode",
    "Room",
    "ScheduleChange",
    "Slot",
    "Speaker",
    "Star",
    "Takeaway",
    "Talk",
    "TalkSpeaker",
    "Track",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
    "metadata",
    "talk_search",
]
