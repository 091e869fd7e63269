"""The words pages use for the community stage's roles and the roster import, translated
when shown."""

from __future__ import annotations

from flask_babel import gettext, lazy_gettext

from hall.community import roster
from hall.community.policy import Grant
from hall.community.roles import GrantScope, Role

ROLE_NAMES = {
    Role.RESIDENT: lazy_gettext("Resident"),
    Role.COUNCIL_CHAIR: lazy_gettext("Council chair"),
    Role.BRANCH_SECRETARY: lazy_gettext("Party branch secretary"),
    Role.COMMITTEE_MEMBER: lazy_gettext("Homeowners' committee member"),
    Role.PROPERTY_MANAGER: lazy_gettext("Property manager"),
    Role.SUBDISTRICT_OFFICER: lazy_gettext("Subdistrict officer"),
    Role.ADMIN: lazy_gettext("Administrator"),
}

# The roster import's report, in the order a manager reads it: what was in the file, what
# changed, and what the file left out.
ROSTER_REPORT_LABELS = (
    ("rows", lazy_gettext("Rows read")),
    ("buildings_created", lazy_gettext("Buildings added")),
    ("stairwells_created", lazy_gettext("Stairwells added")),
    ("units_created", lazy_gettext("Units added")),
    ("units_updated", lazy_gettext("Units changed")),
    ("units_unchanged", lazy_gettext("Units unchanged")),
    ("people_created", lazy_gettext("People added")),
    ("ownerships_changed", lazy_gettext("Units with changed owners")),
    ("units_not_in_file", lazy_gettext("Registered units missing from the file")),
)

# The roster's columns, as a row error names them: the roster's own phrases (hall.community.
# roster.COLUMN_NAMES), which a message naming a column uses too.
ROSTER_COLUMN_NAMES = {
    column: lazy_gettext(name.template) for column, name in roster.COLUMN_NAMES.items()
}


def role_label(grant: Grant, building_names: dict[int, str]) -> str:
    """A role's name, with its scope where that is wider or narrower than one community."""
    role = str(ROLE_NAMES[grant.role])
    if grant.kind is GrantScope.SITE:
        return gettext("%(role)s (whole site)", role=role)
    if grant.kind is GrantScope.SUBDISTRICT:
        return gettext("%(role)s (whole subdistrict)", role=role)
    if grant.kind is GrantScope.BUILDING:
        building = building_names.get(grant.place.building_id, "")
        return gettext("%(role)s (building %(building)s)", role=role, building=building)
    return role


def roster_columns() -> list[tuple[str, str]]:
    """Each roster column with the headers a file may give it, for the import page's help."""
    return [
        (str(ROSTER_COLUMN_NAMES[column]), " / ".join(roster.HEADERS[column]))
        for column in roster.COLUMNS
    ]
