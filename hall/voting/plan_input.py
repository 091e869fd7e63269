"""A cost-sharing plan as it comes in, by the API or from the set-up page: one schema for both.

People write money in yuan and floors as a short list; the API sends fen and objects. Both
read here into the plain data the core checks (`costshare.plan_from_data`):

    "total": 138000000            fen, as an integer (the API's form)
    "total": "¥1,380,000.00"      yuan, as text: "1380000", "1,380,000.50", full-width too
    "floor_coefficients": {"3": "0.7", "4": "0.8"}    or the text "3:0.7，4:0.8"
    "compensation": {"1": 200000}                     or the text "1:2000, 2:2000" (yuan)

A number that does not read is refused here, naming its field ("plans.0.plan.total"); what
the numbers mean (a negative amount, a subsidy over the total, nobody paying) is the core's
to judge, under the same names.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from marshmallow import Schema, ValidationError, fields, validate

from hall.text import N_
from hall.voting import costshare

LABEL_MAX = 200

NOT_YUAN = N_("Give an amount in yuan, such as 1380000 or 1380000.50.")
TOO_PRECISE = N_("An amount in yuan has at most two decimals: the fen.")
NO_TOTAL = N_("Give the plan's total cost.")
COEFFICIENTS_TEXT = N_("Write each floor as floor:coefficient, such as 3:0.7, separated by commas.")
UNIT_COEFFICIENTS_TEXT = N_(
    "Write each unit as unit:coefficient, such as 1203:0.5, separated by commas."
)
COMPENSATION_TEXT = N_("Write each floor as floor:yuan, such as 1:2000, separated by commas.")
NO_LABEL = N_("Give the plan a name.")
LABEL_TOO_LONG = N_("The name is too long.")

# Bounded, so that garbage cannot make a number of a million digits.
_YUAN = re.compile(r"-?\d{1,12}(?:\.(?P<decimals>\d{1,12}))?")
_COEFFICIENT = re.compile(r"-?\d{1,12}(?:\.\d{1,12})?")
_WHOLE = re.compile(r"-?\d{1,12}")
_SEPARATORS = re.compile(r"[,;、\n]+")
_ITEM = re.compile(r"(?P<key>-?\d{1,12})\s*[:=]\s*(?P<value>\S+)")
_GROUPING = re.compile(r"[\s,]")


def _plain(text: str) -> str:
    """Full-width digits and punctuation as their plain forms ("１，３８０" -> "1,380")."""
    return unicodedata.normalize("NFKC", text).strip()


class Yuan(fields.Field):
    """Money: an integer is already fen; text is yuan, to at most two decimals, with or
    without ¥, 元 and thousands separators. Loads as whole fen."""

    default_error_messages = {
        "invalid": NOT_YUAN,
        "too_precise": TOO_PRECISE,
        "not_fen": costshare.NOT_FEN.template,
    }

    def _deserialize(self, value, attr, data, **kwargs) -> int:
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise self.make_error("not_fen")
        if isinstance(value, int):
            return value
        text = _GROUPING.sub("", _plain(value).removeprefix("¥").removesuffix("元"))
        match = _YUAN.fullmatch(text)
        if match is None:
            raise self.make_error("invalid")
        if len(match["decimals"] or "") > 2:
            raise self.make_error("too_precise")
        return int(Decimal(text) * 100)


class Coefficient(fields.Field):
    """A coefficient as exact text ("0.7") or a whole number; never a float, which is not
    0.7. Loads as the text the core reads."""

    default_error_messages = {"invalid": costshare.NOT_A_COEFFICIENT.template}

    def _deserialize(self, value, attr, data, **kwargs) -> str | int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str):
            text = _plain(value)
            if _COEFFICIENT.fullmatch(text):
                return text  # a negative one is the core's to refuse, by its key
        raise self.make_error("invalid")


class Keyed(fields.Field):
    """Values by floor (or by unit): the API's object {"3": "0.7"}, or the text people write,
    "3:0.7, 4:0.8", its items separated by commas, semicolons, 、 or new lines, full-width or
    not. Loads as {"3": value}; a value that does not read is named by its key
    ("floor_coefficients.3"), text that does not read by the field."""

    default_error_messages = {
        "invalid": COEFFICIENTS_TEXT,
        "not_a_key": costshare.NOT_A_FLOOR.template,
        "twice": costshare.DUPLICATE_KEY.template,
    }

    def __init__(self, values: fields.Field, **kwargs):
        super().__init__(**kwargs)
        self.values = values

    def _deserialize(self, value, attr, data, **kwargs) -> dict[str, object]:
        if isinstance(value, str):
            return self._from_text(value)
        if not isinstance(value, dict):
            raise self.make_error("invalid")
        loaded: dict[str, object] = {}
        errors: dict[str, list] = {}
        for key, item in value.items():
            number = _key(key)
            if number is None:
                errors[str(key)] = [self.error_messages["not_a_key"]]
            elif number in loaded:
                errors[str(key)] = [self.error_messages["twice"]]
            else:
                try:
                    loaded[number] = self.values.deserialize(item)
                except ValidationError as error:
                    errors[str(key)] = error.messages
        if errors:
            raise ValidationError(errors)
        return loaded

    def _from_text(self, text: str) -> dict[str, object]:
        loaded: dict[str, object] = {}
        for item in _SEPARATORS.split(_plain(text)):
            if not item.strip():
                continue
            match = _ITEM.fullmatch(item.strip())
            if match is None:
                raise self.make_error("invalid")
            number = str(int(match["key"]))
            if number in loaded:
                raise ValidationError({number: [self.error_messages["twice"]]})
            try:
                loaded[number] = self.values.deserialize(match["value"])
            except ValidationError:
                raise self.make_error("invalid") from None
        return loaded


def _key(key: object) -> str | None:
    """A floor or unit id as JSON keys give it ("3", " 3", 3); "3" and "03" are one floor."""
    if isinstance(key, int) and not isinstance(key, bool):
        return str(key)
    if isinstance(key, str) and _WHOLE.fullmatch(_plain(key)):
        return str(int(_plain(key)))
    return None


class PlanSchema(Schema):
    """One plan's terms. The core checks what they mean, naming the same fields."""

    error_messages = {"unknown": costshare.UNKNOWN_FIELD.template}

    name = fields.String(metadata={"description": "The plan's own name; its label otherwise."})
    total = Yuan(
        required=True,
        error_messages={"required": NO_TOTAL},
        metadata={"description": 'Fen as an integer, or yuan as text: 138000000 or "1380000".'},
    )
    subsidy = Yuan(metadata={"description": "Like total; none when left out."})
    base = fields.String(
        validate=validate.OneOf(
            [str(base) for base in costshare.Base], error=costshare.UNKNOWN_BASE.template
        ),
        metadata={"description": "area (the default) or household."},
    )
    floor_coefficients = Keyed(
        Coefficient(),
        metadata={"description": 'Floor -> coefficient: {"3": "0.7"} or "3:0.7, 4:0.8".'},
    )
    unit_coefficients = Keyed(
        Coefficient(),
        error_messages={
            "invalid": UNIT_COEFFICIENTS_TEXT,
            "not_a_key": costshare.NOT_A_UNIT_ID.template,
        },
        metadata={"description": "Unit id -> coefficient, over its floor's; as above."},
    )
    default_coefficient = Coefficient(
        metadata={"description": "The coefficient of a floor not listed; 1 when left out."}
    )
    compensation = Keyed(
        Yuan(),
        error_messages={"invalid": COMPENSATION_TEXT},
        metadata={
            "description": 'Floor -> amount paid to each of its flats: {"1": 200000} in fen, '
            'or "1:2000, 2:2000" in yuan.'
        },
    )


class PlanEntrySchema(Schema):
    label = fields.String(
        load_default="",
        validate=[
            validate.Length(max=LABEL_MAX, error=LABEL_TOO_LONG),
            validate.Regexp(r"(?s).*\S.*", error=NO_LABEL),
        ],
        metadata={"description": "The plan's name on the ballot; its own name when left out."},
    )
    plan = fields.Nested(PlanSchema, required=True)


def plan_errors_dotted(messages: dict) -> dict:
    """A schema's errors about plans named as the core names them ("plans.0.plan.total"),
    so that a client or the set-up page finds one name whichever of the two refused."""
    named = {key: value for key, value in messages.items() if key != "plans"}
    plans = messages.get("plans")
    if isinstance(plans, dict):
        named.update(_dotted(plans, "plans."))
    elif plans is not None:
        named["plans"] = plans
    return named


def _dotted(messages: dict, prefix: str) -> dict:
    named: dict = {}
    for key, value in messages.items():
        if isinstance(value, dict):
            named.update(_dotted(value, f"{prefix}{key}."))
        else:
            named[f"{prefix}{key}"] = value
    return named
