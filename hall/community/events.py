"""The community's live side: `community:<id>` carries registry changes to whoever sees the
community, registered in the event catalogue with their schema."""

from __future__ import annotations

from hall.community import schemas, service
from hall.community.identity import current_actor
from hall.realtime import catalogue
from hall.realtime.server import room_kind

REGISTRY_CHANGED = catalogue.event(
    "registry.changed",
    schemas.RegistryChangedSchema,
    rooms=("community",),
    doc="A building, stairwell or unit was added or changed, or a roster imported: refetch "
    "what the page shows of the registry.",
)


@room_kind("community")
def authorise_community_room(community_id: int) -> None:
    service.get_community(current_actor(), community_id)
