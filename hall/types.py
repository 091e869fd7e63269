"""Column types shared by every stage."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, DateTime, Integer
from sqlalchemy.types import TypeDecorator


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
    places = 2

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        value = Decimal(value)
        scaled = value.scaleb(self.places)
        if scaled != scaled.to_integral_value():
            raise ValueError(f"at most {self.places} decimal places, not {value}")
        return int(scaled)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return Decimal(int(value)).scaleb(-self.places).quantize(Decimal(1).scaleb(-self.places))


class CustomWeight(Area):
    """A vote's own weight per unit (an ownership share, as abroad): six places, exact."""

    impl = BigInteger
    cache_ok = True
    places = 6


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
