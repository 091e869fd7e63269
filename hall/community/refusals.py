"""What the community stage refuses, each defined once: a stable code, an English template
marked for translation, the fields it concerns. Services raise them; doors render them in the
reader's language (hall.errors). The refusals every stage shares (log in first, not here, no
such community) are hall.errors' own.
"""

from __future__ import annotations

from hall.errors import conflict, invalid, not_found, unauthenticated
from hall.text import N_

# Things that are not there, or not for this actor to see (404 either way).
NO_SUCH_SUBDISTRICT = not_found("no_such_subdistrict", N_("No such subdistrict."))
NO_SUCH_BUILDING = not_found("no_such_building", N_("No such building."))
NO_SUCH_STAIRWELL = not_found("no_such_stairwell", N_("No such stairwell."))
NO_SUCH_UNIT = not_found("no_such_unit", N_("No such unit."))
NO_SUCH_PERSON = not_found("no_such_person", N_("No such person."))
NO_SUCH_GRANT = not_found("no_such_grant", N_("No such role grant."))

# Names the registry holds once.
SUBDISTRICT_NAME_TAKEN = conflict(
    "subdistrict_name_taken", N_("A subdistrict of this name exists."), field="name"
)
COMMUNITY_NAME_TAKEN = conflict(
    "community_name_taken", N_("This subdistrict has a community of this name."), field="name"
)
BUILDING_NAME_TAKEN = conflict(
    "building_name_taken", N_("This community has a building of this name."), field="name"
)
STAIRWELL_NAME_TAKEN = conflict(
    "stairwell_name_taken", N_("This building has a stairwell of this name."), field="name"
)
ROOM_TAKEN = conflict(
    "room_taken", N_("This stairwell has a unit with this room number."), field="room"
)
PERSON_EXISTS = conflict(
    "person_exists", N_("This community has a person of this name and phone."), field="name"
)
ALREADY_TENANT = conflict(
    "already_tenant", N_("This person already rents this unit."), field="person_id"
)
ROLE_ALREADY_HELD = conflict(
    "role_already_held", N_("This account already holds this role here."), field="role"
)
USERNAME_TAKEN = conflict("username_taken", N_("This username is taken."), field="username")

# Ownership and people.
OWNER_LISTED_TWICE = invalid(
    "owner_listed_twice", N_("An owner is listed twice."), field="person_ids"
)
VOTER_NOT_AN_OWNER = invalid(
    "designated_voter_not_an_owner",
    N_("The designated voter must be one of the owners."),
    field="designated_voter_id",
)
OWNERS_NOT_IN_COMMUNITY = invalid(
    "owners_not_in_community",
    N_("No such person in this community: %(person_ids)s."),
    field="person_ids",
)
PERSON_NOT_IN_COMMUNITY = invalid(
    "person_not_in_community", N_("No such person in this community."), field="person_id"
)

# Accounts, tokens and grants.
NO_SUCH_ACCOUNT = invalid("no_such_account", N_("No such account."), field="account_id")
SITE_GRANT_HAS_NO_SCOPE = invalid(
    "site_grant_has_no_scope", N_("A grant for the whole site names no scope."), field="scope_id"
)
SCOPE_REQUIRED = invalid(
    "scope_required", N_("Name the place the role is granted at."), field="scope_id"
)
PASSWORD_TOO_SHORT = invalid(
    "password_too_short",
    N_("The password needs at least %(limit)d characters."),
    field="password",
)
WRONG_USERNAME_OR_PASSWORD = unauthenticated(
    "wrong_username_or_password", N_("Wrong username or password."), field="password"
)
NO_BEARER_TOKEN = unauthenticated(
    "bearer_token_missing", N_("Send the token to revoke as a bearer token.")
)

# The roster import (its rows' own problems are hall.community.roster's phrases).
ROSTER_UNREADABLE = invalid(
    "roster_unreadable", N_("The roster cannot be read: %(problem)s"), field="file"
)
ROSTER_HAS_BAD_ROWS = invalid(
    "roster_has_bad_rows", N_("Rows of the roster with mistakes: %(rows)d. Nothing was imported.")
)
REGISTRY_CHANGED_DURING_IMPORT = conflict(
    "registry_changed_during_import",
    N_("The registry changed while the roster was imported; import it again."),
    field="file",
)
