"""Changing the schedule as an organiser does, whether through the API or by importing a file.

Each change bumps the event's schedule version (once per editing session), bumps a slot's SEQUENCE
where calendars need it (time, room, status) and writes the change log (service/schedule/changes.py),
all in the caller's transaction. One set of verbs does this for every caller, so a change made by an
import and the same change made through the API leave the same entries in the log.

- ``writer.ScheduleWriter``: the verbs on talks and slots already in hand. Each compares, changes
  and logs; none queries or checks conflicts, so an import of thousands of talks stays a few
  batched statements (a published schedule is what it is); ``add_talks`` adds many new talks
  as multi-row INSERTs, with the entries ``add_talk`` and ``add_slot`` would log.
- ``talks.ScheduleEditor``: the same verbs as API requests ask for them: found by id or slug,
  validated, and checked for rooms and speakers booked twice.
- ``setup.SetupEditor``: rooms and tracks, the frame the talks hang on (speakers' own verbs are in
  service/speakers/editing.py).
"""

from service.schedule.editing.setup import SetupEditor
from service.schedule.editing.talks import ScheduleEditor
from service.schedule.editing.writer import ScheduleWriter

__all__ = ["ScheduleEditor", "ScheduleWriter", "SetupEditor"]
