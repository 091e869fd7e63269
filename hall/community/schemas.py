"""What the registry API takes in and gives out."""

from __future__ import annotations

from decimal import Decimal

from marshmallow import Schema, ValidationError, fields, validate

from hall.community.roles import GrantScope, Role
from hall.text import N_


def _at_most_two_places(value: Decimal) -> None:
    if value.as_tuple().exponent < -2:
        raise ValidationError(N_("At most two decimal places."))


def _name(max_length: int = 100) -> fields.String:
    return fields.String(
        required=True,
        validate=[validate.Length(min=1, max=max_length), validate.Regexp(r".*\S.*")],
    )


class TokenRequestSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(
        required=True, load_only=True, validate=validate.Length(min=1, max=256)
    )
    name = fields.String(load_default="", validate=validate.Length(max=100))


class TokenSchema(Schema):
    token = fields.String()
    expires_at = fields.DateTime()


class CsrfTokenSchema(Schema):
    csrf_token = fields.String()


class GrantSchema(Schema):
    id = fields.Integer(dump_only=True)
    account_id = fields.Integer(required=True)
    role = fields.Enum(Role, by_value=True, required=True)
    scope_kind = fields.Enum(GrantScope, by_value=True, required=True)
    scope_id = fields.Integer(load_default=None, allow_none=True)
    community_id = fields.Integer(dump_only=True, allow_none=True)
    subdistrict_id = fields.Integer(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)


class MeSchema(Schema):
    id = fields.Integer()
    username = fields.String()
    display_name = fields.String()
    person_id = fields.Integer(allow_none=True)
    locale = fields.String(allow_none=True)
    grants = fields.List(fields.Nested(GrantSchema))


class SubdistrictSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = _name()


class CommunitySchema(Schema):
    id = fields.Integer(dump_only=True)
    subdistrict_id = fields.Integer(required=True)
    name = _name()
    timezone = fields.String(load_default="Asia/Shanghai", validate=validate.Length(min=1, max=64))


class CommunityCountsSchema(Schema):
    units = fields.Integer()
    area = fields.Decimal(as_string=True, places=2)
    owners = fields.Integer()


class CommunityPermissionsSchema(Schema):
    """What the caller may do with this community's registry (hall.community.service)."""

    view_people = fields.Boolean()
    edit_registry = fields.Boolean()
    import_roster = fields.Boolean()
    view_grants = fields.Boolean()
    grant_roles = fields.Boolean()


class CommunityDetailSchema(CommunitySchema):
    counts = fields.Nested(CommunityCountsSchema, dump_only=True)
    permissions = fields.Nested(CommunityPermissionsSchema, dump_only=True)


class StairwellSchema(Schema):
    id = fields.Integer(dump_only=True)
    building_id = fields.Integer(dump_only=True)
    name = _name(50)


class BuildingSchema(Schema):
    id = fields.Integer(dump_only=True)
    community_id = fields.Integer(dump_only=True)
    name = _name(50)
    stairwells = fields.List(fields.Nested(StairwellSchema), dump_only=True)


class UnitSchema(Schema):
    id = fields.Integer(dump_only=True)
    community_id = fields.Integer(dump_only=True)
    building_id = fields.Integer(dump_only=True)
    stairwell_id = fields.Integer(required=True)
    room = _name(20)
    floor = fields.Integer(required=True, strict=True, validate=validate.Range(min=-10, max=200))
    area = fields.Decimal(
        required=True,
        as_string=True,
        allow_nan=False,
        validate=[validate.Range(min=0, max=100000, min_inclusive=False), _at_most_two_places],
        metadata={"description": "Exclusive area in m², at most two decimal places."},
    )


class UnitQuerySchema(Schema):
    building_id = fields.Integer()
    stairwell_id = fields.Integer()


class OwnersSchema(Schema):
    person_ids = fields.List(
        fields.Integer(), required=True, validate=validate.Length(min=1, max=20)
    )
    designated_voter_id = fields.Integer(required=True)


class OwnershipSchema(Schema):
    person_id = fields.Integer()
    is_designated_voter = fields.Boolean()
    position = fields.Integer()


class UnitDetailSchema(UnitSchema):
    owners = fields.List(fields.Nested(OwnershipSchema), attribute="ownerships", dump_only=True)


class TenantSchema(Schema):
    id = fields.Integer(dump_only=True)
    unit_id = fields.Integer(dump_only=True)
    person_id = fields.Integer(required=True)


class PersonSchema(Schema):
    id = fields.Integer(dump_only=True)
    community_id = fields.Integer(dump_only=True)
    name = _name()
    phone = fields.String(
        load_default="", validate=[validate.Length(max=32), validate.Regexp(r"^[0-9+\- ]*$")]
    )


class AccountCreateSchema(Schema):
    username = fields.String(
        required=True, validate=[validate.Length(min=3, max=64), validate.Regexp(r"^[\w.@-]+$")]
    )
    password = fields.String(
        required=True, load_only=True, validate=validate.Length(min=8, max=256)
    )
    display_name = _name()
    person_id = fields.Integer(load_default=None, allow_none=True)


class AccountSchema(Schema):
    id = fields.Integer()
    username = fields.String()
    display_name = fields.String()
    person_id = fields.Integer(allow_none=True)


class RegistryChangedSchema(Schema):
    """`registry.changed`: which part of a community's registry changed."""

    community_id = fields.Integer(required=True)
    kind = fields.String(
        required=True,
        validate=validate.OneOf(["building", "stairwell", "unit", "roster"]),
        metadata={"description": "What changed; `roster`: an import, possibly of everything."},
    )
    id = fields.Integer(required=True, metadata={"description": "Its id (the community's)."})
