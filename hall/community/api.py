"""The registry's REST API: parse with a schema, call the service, dump with a schema."""

from __future__ import annotations

from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from hall.community import accounts, refusals, schemas, service
from hall.community.identity import bearer_token, current_actor, login_rate_limit
from hall.community.roster_api import bp as roster_bp
from hall.errors import NOT_LOGGED_IN
from hall.extensions import limiter
from hall.rest import api_blueprint

auth_bp = api_blueprint("auth", "Tokens and the current account")
registry_bp = api_blueprint("registry", "Subdistricts, communities, buildings, units, people")
grants_bp = api_blueprint("grants", "Accounts and the roles granted to them at a scope")


# Auth -----------------------------------------------------------------------------------------


@auth_bp.post("/tokens")
@limiter.limit(login_rate_limit)
@auth_bp.arguments(schemas.TokenRequestSchema)
@auth_bp.response(201, schemas.TokenSchema)
def create_token(body):
    """Exchange a username and password for a bearer token (rate-limited)."""
    account = accounts.authenticate(body["username"], body["password"])
    if account is None:
        raise refusals.WRONG_USERNAME_OR_PASSWORD()
    token, record = accounts.issue_token(account, body["name"])
    return {"token": token, "expires_at": record.expires_at}


@auth_bp.delete("/tokens/current")
@auth_bp.response(204)
def revoke_current_token():
    """Revoke the bearer token this request carries."""
    token = bearer_token()
    if token is None:
        raise refusals.NO_BEARER_TOKEN()
    accounts.revoke_token(token)


@auth_bp.get("/csrf-token")
@auth_bp.response(200, schemas.CsrfTokenSchema)
def csrf_token():
    """A CSRF token for clients that ride on the session cookie (send it as X-CSRFToken)."""
    return {"csrf_token": generate_csrf()}


@auth_bp.get("/me")
@auth_bp.response(200, schemas.MeSchema)
def me():
    """The account this request acts as, and its role grants."""
    if not current_user.is_authenticated:
        raise NOT_LOGGED_IN()
    return current_user


# Subdistricts and communities ----------------------------------------------------------------


@registry_bp.get("/subdistricts")
@registry_bp.response(200, schemas.SubdistrictSchema(many=True))
def list_subdistricts():
    """Subdistricts the caller can see."""
    return service.list_subdistricts(current_actor())


@registry_bp.post("/subdistricts")
@registry_bp.arguments(schemas.SubdistrictSchema)
@registry_bp.response(201, schemas.SubdistrictSchema)
def create_subdistrict(body):
    """Create a subdistrict (site administrators)."""
    return service.create_subdistrict(current_actor(), body["name"])


@registry_bp.get("/communities")
@registry_bp.response(200, schemas.CommunitySchema(many=True))
def list_communities():
    """Communities the caller can see; other communities are not listed."""
    return service.list_communities(current_actor())


@registry_bp.post("/communities")
@registry_bp.arguments(schemas.CommunitySchema)
@registry_bp.response(201, schemas.CommunitySchema)
def create_community(body):
    """Create a community in a subdistrict (subdistrict officers, administrators)."""
    return service.create_community(
        current_actor(), body["subdistrict_id"], body["name"], body["timezone"]
    )


@registry_bp.get("/communities/<int:community_id>")
@registry_bp.response(200, schemas.CommunityDetailSchema)
def get_community(community_id):
    """One community with its unit count, total exclusive area and owner count, and what the
    caller may do with its registry."""
    actor = current_actor()
    community = service.get_community(actor, community_id)
    return {
        "id": community.id,
        "subdistrict_id": community.subdistrict_id,
        "name": community.name,
        "timezone": community.timezone,
        "counts": service.community_counts(community.id),
        "permissions": service.community_permissions(actor, community),
    }


# Buildings, stairwells, units ----------------------------------------------------------------


@registry_bp.get("/communities/<int:community_id>/buildings")
@registry_bp.response(200, schemas.BuildingSchema(many=True))
def list_buildings(community_id):
    """A community's buildings with their stairwells, in natural order."""
    return service.list_buildings(current_actor(), community_id)


@registry_bp.post("/communities/<int:community_id>/buildings")
@registry_bp.arguments(schemas.BuildingSchema)
@registry_bp.response(201, schemas.BuildingSchema)
def create_building(body, community_id):
    """Add a building (property managers, administrators)."""
    return service.create_building(current_actor(), community_id, body["name"])


@registry_bp.get("/buildings/<int:building_id>")
@registry_bp.response(200, schemas.BuildingSchema)
def get_building(building_id):
    """One building with its stairwells."""
    return service.get_building(current_actor(), building_id)


@registry_bp.post("/buildings/<int:building_id>/stairwells")
@registry_bp.arguments(schemas.StairwellSchema)
@registry_bp.response(201, schemas.StairwellSchema)
def create_stairwell(body, building_id):
    """Add a stairwell (单元) to a building."""
    return service.create_stairwell(current_actor(), building_id, body["name"])


@registry_bp.get("/communities/<int:community_id>/units")
@registry_bp.arguments(schemas.UnitQuerySchema, location="query")
@registry_bp.response(200, schemas.UnitSchema(many=True))
def list_units(query, community_id):
    """A community's units, optionally of one building or stairwell."""
    return service.list_units(
        current_actor(), community_id, query.get("building_id"), query.get("stairwell_id")
    )


@registry_bp.post("/units")
@registry_bp.arguments(schemas.UnitSchema)
@registry_bp.response(201, schemas.UnitSchema)
def create_unit(body):
    """Register a unit in a stairwell, with its floor and exclusive area."""
    return service.create_unit(
        current_actor(), body["stairwell_id"], body["room"], body["floor"], body["area"]
    )


@registry_bp.get("/units/<int:unit_id>")
@registry_bp.response(200, schemas.UnitDetailSchema)
def get_unit(unit_id):
    """One unit with its owners (the designated voter marked)."""
    return service.get_unit(current_actor(), unit_id)


@registry_bp.put("/units/<int:unit_id>/owners")
@registry_bp.arguments(schemas.OwnersSchema)
@registry_bp.response(200, schemas.UnitDetailSchema)
def set_owners(body, unit_id):
    """Replace a unit's owners and name the one who votes for the household."""
    return service.set_owners(
        current_actor(), unit_id, body["person_ids"], body["designated_voter_id"]
    )


@registry_bp.post("/units/<int:unit_id>/tenants")
@registry_bp.arguments(schemas.TenantSchema)
@registry_bp.response(201, schemas.TenantSchema)
def add_tenant(body, unit_id):
    """Record a resident who rents the unit (may propose and comment, never votes)."""
    return service.add_tenant(current_actor(), unit_id, body["person_id"])


# People -------------------------------------------------------------------------------------


@registry_bp.get("/communities/<int:community_id>/people")
@registry_bp.response(200, schemas.PersonSchema(many=True))
def list_people(community_id):
    """Owners and tenants with their phone numbers (staff roles only)."""
    return service.list_people(current_actor(), community_id)


@registry_bp.post("/communities/<int:community_id>/people")
@registry_bp.arguments(schemas.PersonSchema)
@registry_bp.response(201, schemas.PersonSchema)
def create_person(body, community_id):
    """Record a person of the community."""
    return service.create_person(current_actor(), community_id, body["name"], body["phone"])


@registry_bp.get("/people/<int:person_id>")
@registry_bp.response(200, schemas.PersonSchema)
def get_person(person_id):
    """One person (staff roles, or the person themself)."""
    return service.get_person(current_actor(), person_id)


# Accounts and grants ------------------------------------------------------------------------


@grants_bp.post("/communities/<int:community_id>/accounts")
@grants_bp.arguments(schemas.AccountCreateSchema)
@grants_bp.response(201, schemas.AccountSchema)
def create_account(body, community_id):
    """Create an account with the resident role in this community."""
    return service.create_resident_account(
        current_actor(),
        community_id,
        body["username"],
        body["password"],
        body["display_name"],
        body["person_id"],
    )


@grants_bp.get("/communities/<int:community_id>/grants")
@grants_bp.response(200, schemas.GrantSchema(many=True))
def list_grants(community_id):
    """Roles granted within a community."""
    return service.list_grants(current_actor(), community_id)


@grants_bp.post("/grants")
@grants_bp.arguments(schemas.GrantSchema)
@grants_bp.response(201, schemas.GrantSchema)
def create_grant(body):
    """Grant a role at a scope; nobody grants a role above their own."""
    return service.grant_role(
        current_actor(), body["account_id"], body["role"], body["scope_kind"], body["scope_id"]
    )


@grants_bp.delete("/grants/<int:grant_id>")
@grants_bp.response(204)
def revoke_grant(grant_id):
    """Take a role grant back."""
    service.revoke_grant(current_actor(), grant_id)


blueprints = [auth_bp, registry_bp, grants_bp, roster_bp]
