"""The roles Hall grants and the scopes it grants them at (plain enums, no database)."""

from enum import StrEnum


class Role(StrEnum):
    RESIDENT = "resident"
    COUNCIL_CHAIR = "council_chair"
    BRANCH_SECRETARY = "branch_secretary"
    COMMITTEE_MEMBER = "committee_member"
    PROPERTY_MANAGER = "property_manager"
    SUBDISTRICT_OFFICER = "subdistrict_officer"
    ADMIN = "admin"


class GrantScope(StrEnum):
    """Where a role is granted: it reaches everything inside. (An issue's scope, the places
    it concerns, is another thing: hall.issues.models.ScopeKind.)"""

    SITE = "site"
    SUBDISTRICT = "subdistrict"
    COMMUNITY = "community"
    BUILDING = "building"

