"""HTTP routes for organisers to lay out an event: add, rename, reorder and remove rooms and tracks.

Every route needs an organiser token for the event (or an admin token). A failed request changes
nothing: the request owns the transaction and rolls it back on any error.
"""

from __future__ import annotations

from litestar import Controller, delete, patch, post
from litestar.di import NamedDependency
from litestar.params import JSONBody
from litestar.status_codes import HTTP_201_CREATED
from msgspec.structs import asdict

from service.core.openapi import ORGANISER_WRITE, TOKEN_SECURITY, RoomId, TrackId
from service.core.params import parse_id
from service.schedule.deps import EDITING_DEPENDENCIES
from service.schedule.editing import SetupEditor
from service.schedule.inputs import RoomCreate, RoomUpdate, TrackCreate, TrackUpdate
from service.schedule.schemas import RoomOut, TrackOut
from service.schedule.services import room_out, track_out


class SetupController(Controller):
    tags = ["schedule"]
    dependencies = EDITING_DEPENDENCIES

    @post(
        "/rooms",
        tags=["organisers"],
        security=TOKEN_SECURITY,
        responses=ORGANISER_WRITE,
        summary="Add a room",
        status_code=HTTP_201_CREATED,
    )
    async def create_room(self, schedule_editor: NamedDependency[SetupEditor], data: JSONBody[RoomCreate]) -> RoomOut:
        return room_out(await schedule_editor.create_room(data.slug, data.name, data.position))

    @patch(
        "/rooms/{room_id:str}",
        tags=["organisers"],
        security=TOKEN_SECURITY,
        responses=ORGANISER_WRITE,
        summary="Rename or reorder a room",
    )
    async def update_room(
        self, schedule_editor: NamedDependency[SetupEditor], room_id: RoomId, data: JSONBody[RoomUpdate]
    ) -> RoomOut:
        room = await schedule_editor.get_room(parse_id(room_id, "room_id"))
        schedule_editor.update(room, asdict(data))
        return room_out(room)

    @delete(
        "/rooms/{room_id:str}",
        tags=["organisers"],
        security=TOKEN_SECURITY,
        responses=ORGANISER_WRITE,
        summary="Remove an empty room",
    )
    async def delete_room(self, schedule_editor: NamedDependency[SetupEditor], room_id: RoomId) -> None:
        await schedule_editor.delete_room(parse_id(room_id, "room_id"))

    @post(
        "/tracks",
        tags=["organisers"],
        security=TOKEN_SECURITY,
        responses=ORGANISER_WRITE,
        summary="Add a track",
        status_code=HTTP_201_CREATED,
    )
    async def create_track(
        self, schedule_editor: NamedDependency[SetupEditor], data: JSONBody[TrackCreate]
    ) -> TrackOut:
        return track_out(await schedule_editor.create_track(data.slug, data.name, data.color))

    @patch(
        "/tracks/{track_id:str}",
        tags=["organisers"],
        security=TOKEN_SECURITY,
        responses=ORGANISER_WRITE,
        summary="Rename or recolour a track",
    )
    async def update_track(
        self, schedule_editor: NamedDependency[SetupEditor], track_id: TrackId, data: JSONBody[TrackUpdate]
    ) -> TrackOut:
        track = await schedule_editor.get_track(parse_id(track_id, "track_id"))
        schedule_editor.update(track, asdict(data))
        return track_out(track)

    @delete(
        "/tracks/{track_id:str}",
        tags=["organisers"],
        security=TOKEN_SECURITY,
        responses=ORGANISER_WRITE,
        summary="Remove a track (its talks stay, without a track)",
    )
    async def delete_track(self, schedule_editor: NamedDependency[SetupEditor], track_id: TrackId) -> None:
        await schedule_editor.delete_track(parse_id(track_id, "track_id"))
