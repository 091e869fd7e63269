"""The community's Socket.IO rooms: `community:<id>` carries registry changes to its viewers."""

from __future__ import annotations

from hall.auth import current_actor
from hall.community import service
from hall.realtime.server import room_kind


@room_kind("community")
def authorise_community_room(community_id: int) -> None:
    service.get_community(current_actor(), community_id)
