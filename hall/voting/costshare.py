"""Differentiated cost sharing: who pays how much of an elevator (docs/domain.md).

A plan splits a total cost, less any subsidy, among the paying units by coefficient x base,
the base being the unit's area (the default of Art. 283) or 1 per household:

    collected = total - subsidy + compensation paid to low floors
    share(unit) = collected * coef(unit) * base(unit) / sum(coef * base)

Units on a compensated floor receive their compensation; usually their coefficient is 0, so
they receive it and pay nothing. Owners vote between plans that show every household's amount
to the fen, so amounts are whole fen, split by the largest-remainder method: the paying shares
add up to `collected` exactly, and ties go to the unit listed first.

Plans arrive as untrusted JSON-ish data: `plan_from_data` checks every field and names the bad
one in a `CostShareError` ("floor_coefficients.3") carrying its refusal, defined here with a
stable code ("plan_not_fen"); the service raises it naming the field of the request. Money is
whole fen (int); coefficients and areas are Decimal; nothing is ever a float.

Pure: standard library and the kernel (hall.errors, hall.text) only.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from hall.errors import HallError, Refusal, invalid
from hall.text import N_, untranslated


class Base(enum.StrEnum):
    AREA = "area"
    HOUSEHOLD = "household"  # every unit weighs 1, whatever its area


NOT_AN_OBJECT = invalid("plan_not_an_object", N_("Give an object with named fields."))
UNKNOWN_FIELD = invalid("plan_unknown_field", N_("This field is not part of a plan."))
REQUIRED = invalid("plan_field_required", N_("This field is required."))
NO_NAME = invalid("plan_no_name", N_("Give the plan a name."))
NAME_TOO_LONG = invalid("plan_name_too_long", N_("A plan's name is at most 100 characters."))
NOT_FEN = invalid("plan_not_fen", N_("Give the amount in fen, as a whole number."))
NEGATIVE_AMOUNT = invalid("plan_negative_amount", N_("An amount cannot be negative."))
SUBSIDY_OVER_TOTAL = invalid(
    "plan_subsidy_over_total", N_("The subsidy cannot be more than the total cost.")
)
UNKNOWN_BASE = invalid("plan_unknown_base", N_("Choose area or household."))
NOT_A_COEFFICIENT = invalid(
    "plan_not_a_coefficient", N_('Give the coefficient as text, such as "0.7", or a whole number.')
)
NEGATIVE_COEFFICIENT = invalid("plan_negative_coefficient", N_("A coefficient cannot be negative."))
NOT_A_MAPPING = invalid("plan_not_a_mapping", N_("Give an object keyed by floor or by unit."))
NOT_A_FLOOR = invalid("plan_not_a_floor", N_("Give the floor as a whole number."))
NOT_A_UNIT_ID = invalid("plan_not_a_unit_id", N_("Give the unit's id as a whole number."))
NO_PAYER = invalid("plan_no_payer", N_("Every unit has a coefficient of 0: nobody would pay."))
NO_UNITS = invalid("plan_no_units", N_("A plan needs at least one paying unit."))
NO_PLANS = invalid("plan_no_plans", N_("Give at least one plan."))
DUPLICATE_UNIT = invalid("plan_duplicate_unit", N_("This unit is listed twice."))
DUPLICATE_PLAN = invalid("plan_duplicate_name", N_("Two plans have this name."))
DUPLICATE_KEY = invalid("plan_duplicate_key", N_("This floor or unit is given twice."))
NOT_AN_AREA = invalid(
    "plan_unit_area_invalid", N_("A unit's area must be a Decimal of zero or more.")
)
NO_AREA = invalid("plan_no_area", N_("The paying units have no area to share the cost by."))

NAME_LIMIT = 100
PLAN_FIELDS = frozenset(
    {
        "name",
        "total",
        "subsidy",
        "base",
        "floor_coefficients",
        "unit_coefficients",
        "default_coefficient",
        "compensation",
    }
)


class CostShareError(ValueError):
    """Why a plan or a split was refused: `field` names the bad part ("compensation.1"),
    `refusal` what is wrong with it."""

    def __init__(self, field: str, refusal: Refusal):
        self.field = field
        self.refusal = refusal
        self.message = refusal.render(untranslated)  # in English, for logs and tests
        super().__init__(f"{field}: {self.message}" if field else self.message)

    @property
    def code(self) -> str:
        return self.refusal.code

    def refused(self, *, under: str) -> HallError:
        """The refusal to raise for a request that holds the plan at `under`
        ("plans.0.plan")."""
        return self.refusal(fields=[f"{under}.{self.field}" if self.field else under])


@dataclass(frozen=True)
class PayingUnit:
    unit_id: int
    floor: int
    area: Decimal
    label: str = ""


@dataclass(frozen=True)
class Plan:
    name: str
    total: int  # fen
    subsidy: int = 0  # fen
    base: Base = Base.AREA
    floor_coefficients: Mapping[int, Decimal] = field(default_factory=dict)  # floor -> coefficient
    unit_coefficients: Mapping[int, Decimal] = field(default_factory=dict)  # overrides the floor's
    default_coefficient: Decimal = Decimal(1)  # floors absent from floor_coefficients
    compensation: Mapping[int, int] = field(default_factory=dict)  # floor -> fen TO each unit

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise CostShareError("name", NO_NAME)
        if len(self.name) > NAME_LIMIT:
            raise CostShareError("name", NAME_TOO_LONG)
        _fen(self.total, "total")
        _fen(self.subsidy, "subsidy")
        if self.subsidy > self.total:
            raise CostShareError("subsidy", SUBSIDY_OVER_TOTAL)
        try:
            object.__setattr__(self, "base", Base(self.base))
        except ValueError:
            raise CostShareError("base", UNKNOWN_BASE) from None
        coefficient = _coefficient(self.default_coefficient, "default_coefficient")
        object.__setattr__(self, "default_coefficient", coefficient)
        # Copies: a caller's dict changed later must not change a plan voted on.
        for name, key in (
            ("floor_coefficients", NOT_A_FLOOR),
            ("unit_coefficients", NOT_A_UNIT_ID),
        ):
            coefficients = {
                _whole(k, f"{name}.{k}", key): _coefficient(v, f"{name}.{k}")
                for k, v in _mapping(getattr(self, name), name).items()
            }
            object.__setattr__(self, name, coefficients)
        compensation = {
            _whole(floor, f"compensation.{floor}", NOT_A_FLOOR): _fen(fen, f"compensation.{floor}")
            for floor, fen in _mapping(self.compensation, "compensation").items()
        }
        object.__setattr__(self, "compensation", compensation)

    def coefficient_for(self, unit: PayingUnit) -> Decimal:
        if unit.unit_id in self.unit_coefficients:
            return self.unit_coefficients[unit.unit_id]
        return self.floor_coefficients.get(unit.floor, self.default_coefficient)


def _mapping(value: object, name: str) -> Mapping:
    if not isinstance(value, Mapping):
        raise CostShareError(name, NOT_A_MAPPING)
    return value


def _fen(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise CostShareError(name, NOT_FEN)
    if value < 0:
        raise CostShareError(name, NEGATIVE_AMOUNT)
    return value


def _whole(value: object, name: str, refusal: Refusal) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise CostShareError(name, refusal)
    return value


def _coefficient(value: object, name: str) -> Decimal:
    if isinstance(value, int) and not isinstance(value, bool):
        value = Decimal(value)
    if not isinstance(value, Decimal) or not value.is_finite():
        raise CostShareError(name, NOT_A_COEFFICIENT)
    if value < 0:
        raise CostShareError(name, NEGATIVE_COEFFICIENT)
    return abs(value) if value == 0 else value  # never "-0" in a published plan


@dataclass(frozen=True)
class Share:
    unit_id: int
    label: str
    coefficient: Decimal
    amount: int  # fen: pays - receives; negative when the unit receives more than it pays
    pays: int  # fen, its part of `collected`
    receives: int  # fen, the compensation of its floor


@dataclass(frozen=True)
class Split:
    plan: Plan
    shares: tuple[Share, ...]  # in the order the units were given
    # total - subsidy + compensation: the sum of every share's `pays`, exactly. The amounts
    # (pays - receives) add up to total - subsidy.
    collected: int


def split(plan: Plan, units: Sequence[PayingUnit]) -> Split:
    """Every unit's amount under `plan`, to the fen."""
    units = tuple(units)
    _check_units(units)
    coefficients = [plan.coefficient_for(unit) for unit in units]
    weights = [
        Fraction(coefficient) * (Fraction(unit.area) if plan.base is Base.AREA else 1)
        for unit, coefficient in zip(units, coefficients, strict=True)
    ]
    if not any(weights):
        if not any(coefficients):
            raise CostShareError("floor_coefficients", NO_PAYER)
        raise CostShareError("units", NO_AREA)
    receives = [plan.compensation.get(unit.floor, 0) for unit in units]
    collected = plan.total - plan.subsidy + sum(receives)
    pays = largest_remainder(collected, weights)
    shares = tuple(
        Share(unit.unit_id, unit.label, coefficient, paid - received, paid, received)
        for unit, coefficient, paid, received in zip(
            units, coefficients, pays, receives, strict=True
        )
    )
    return Split(plan, shares, collected)


def _check_units(units: Sequence[PayingUnit]) -> None:
    if not units:
        raise CostShareError("units", NO_UNITS)
    seen: set[int] = set()
    for index, unit in enumerate(units):
        if unit.unit_id in seen:
            raise CostShareError(f"units.{index}.unit_id", DUPLICATE_UNIT)
        seen.add(unit.unit_id)
        area = unit.area
        if isinstance(area, bool) or not isinstance(area, int | Decimal):
            raise CostShareError(f"units.{index}.area", NOT_AN_AREA)
        if not Decimal(area).is_finite() or area < 0:
            raise CostShareError(f"units.{index}.area", NOT_AN_AREA)


def largest_remainder(amount: int, weights: Sequence[Fraction]) -> list[int]:
    """`amount` split in proportion to `weights` into whole parts that add up to it exactly.

    Each part is its exact quota rounded down; the fen left over go one each to the largest
    remainders, the earlier of two equal remainders first. A larger weight therefore never
    gets less than a smaller one.
    """
    total = sum(weights, Fraction(0))
    quotas = [amount * weight / total for weight in weights]
    parts = [quota.numerator // quota.denominator for quota in quotas]
    left_over = amount - sum(parts)
    by_remainder = sorted(range(len(quotas)), key=lambda i: (-(quotas[i] - parts[i]), i))
    for index in by_remainder[:left_over]:
        parts[index] += 1
    return parts


def compare(
    plans: Sequence[Plan], units: Sequence[PayingUnit]
) -> list[tuple[PayingUnit, tuple[Share, ...]]]:
    """Plans side by side: one row per unit, holding its share under each plan in order."""
    if not plans:
        raise CostShareError("plans", NO_PLANS)
    units = tuple(units)
    _check_units(units)
    names: set[str] = set()
    splits = []
    for index, plan in enumerate(plans):
        if plan.name in names:
            raise CostShareError(f"plans.{index}.name", DUPLICATE_PLAN)
        names.add(plan.name)
        try:
            splits.append(split(plan, units))
        except CostShareError as error:
            raise CostShareError(f"plans.{index}.{error.field}", error.refusal) from None
    return [(unit, tuple(each.shares[row] for each in splits)) for row, unit in enumerate(units)]


# Reading and writing plan data ----------------------------------------------------------------

# Bounded, so that garbage cannot make a number of a million digits.
_COEFFICIENT = re.compile(r"[+-]?\d{1,12}(?:\.\d{1,12})?")
_WHOLE = re.compile(r"[+-]?\d{1,12}")


def plan_from_data(data: Mapping) -> Plan:
    """A plan from untrusted JSON-ish data; amounts are whole fen, coefficients strings."""
    if not isinstance(data, Mapping):
        raise CostShareError("", NOT_AN_OBJECT)
    for key in data:
        if key not in PLAN_FIELDS:
            raise CostShareError(str(key), UNKNOWN_FIELD)
    for key in ("name", "total"):
        if key not in data:
            raise CostShareError(key, REQUIRED)
    values: dict = {"name": data["name"], "total": data["total"]}
    if "subsidy" in data:
        values["subsidy"] = data["subsidy"]
    if "base" in data:
        values["base"] = _base_from_data(data["base"])
    if "default_coefficient" in data:
        values["default_coefficient"] = _coefficient_from_data(
            data["default_coefficient"], "default_coefficient"
        )
    for name, refusal in (
        ("floor_coefficients", NOT_A_FLOOR),
        ("unit_coefficients", NOT_A_UNIT_ID),
    ):
        if name in data:
            values[name] = {
                key: _coefficient_from_data(value, f"{name}.{key}")
                for key, value in _keyed_from_data(data[name], name, refusal).items()
            }
    if "compensation" in data:
        # The amounts are checked by Plan itself, under the floor's number.
        values["compensation"] = _keyed_from_data(data["compensation"], "compensation", NOT_A_FLOOR)
    return Plan(**values)


def _keyed_from_data(data: object, name: str, refusal: Refusal) -> dict[int, object]:
    """JSON object keys are strings: {"3": ...} is floor 3; "3" and "03" at once are refused."""
    keyed: dict[int, object] = {}
    for key, value in _mapping(data, name).items():
        if isinstance(key, str) and _WHOLE.fullmatch(key.strip()):
            number = int(key)
        else:
            number = _whole(key, f"{name}.{key}", refusal)
        if number in keyed:
            raise CostShareError(f"{name}.{key}", DUPLICATE_KEY)
        keyed[number] = value
    return keyed


def _base_from_data(value: object) -> Base:
    try:
        return Base(value)
    except ValueError:
        raise CostShareError("base", UNKNOWN_BASE) from None


def _coefficient_from_data(value: object, name: str) -> Decimal:
    if isinstance(value, str) and _COEFFICIENT.fullmatch(value.strip()):
        value = Decimal(value.strip())
    elif isinstance(value, float):  # 0.7 as a float is not 0.7
        raise CostShareError(name, NOT_A_COEFFICIENT)
    return _coefficient(value, name)


def plan_to_data(plan: Plan) -> dict:
    return {
        "name": plan.name,
        "total": plan.total,
        "subsidy": plan.subsidy,
        "base": str(plan.base),
        "floor_coefficients": {
            str(floor): decimal_text(plan.floor_coefficients[floor])
            for floor in sorted(plan.floor_coefficients)
        },
        "unit_coefficients": {
            str(unit_id): decimal_text(plan.unit_coefficients[unit_id])
            for unit_id in sorted(plan.unit_coefficients)
        },
        "default_coefficient": decimal_text(plan.default_coefficient),
        "compensation": {
            str(floor): plan.compensation[floor] for floor in sorted(plan.compensation)
        },
    }


def decimal_text(value: Decimal) -> str:
    """Plain digits, never an exponent: Decimal("1E+1") is "10"."""
    return format(value, "f")
