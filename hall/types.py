"""Column types shared by every stage."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import DateTime, Integer
from sqlalchemy.types import TypeDecorator

HUNDRED = Decimal(100)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Area(TypeDecorator):
    """Exclusive area in m² with two places, stored as whole hundredths of a m².

    SQLite has no exact decimal type: a NUMERIC column there is a float, and SUM() over it
    drifts. Whole hundredths are exact on SQLite and PostgreSQL alike, so tallies summed in SQL
    come out to the cent of a m² on both.
    """

    impl = Integer
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        value = Decimal(value)
        hundredths = value * HUNDRED
        if hundredths != hundredths.to_integral_value():
            raise ValueError(f"an area has at most two decimal places, not {value}")
        return int(hundredths)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return (Decimal(int(value)) / HUNDRED).quantize(Decimal("0.01"))


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in and out, on SQLite (which keeps no zone) and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: Hall stores aware UTC times only")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
