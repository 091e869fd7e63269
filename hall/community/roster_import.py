"""Importing property management's roster into a community's registry: all of it or nothing.

The operation the CLI (`hall import-roster`), the REST API and the upload page share:

    report = import_roster(actor, community_id, filename, data, dry_run=False, progress=None)

It authorises first (property managers and administrators may import), reads and checks the
whole file (`hall.community.roster`), and only then writes, in one transaction. A file with
any bad row raises `RosterInvalid`, an `Invalid` (422) that carries every `RowError` and
`FileError` for a page to show, and writes nothing.

Rows are matched to the registry by their natural keys: a building by its name, a stairwell by
its building and name, a unit by its stairwell and room, a person by name and phone. So
importing the same file twice changes nothing the second time, and units that are in the
registry but not in the file are left alone (and counted).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from hall.community import refusals, service
from hall.community.models import Building, Community, Ownership, Person, Stairwell, Unit
from hall.community.policy import Actor
from hall.community.roster import FileError, Owner, Roster, RosterRow, RowError, read_roster
from hall.errors import Invalid
from hall.extensions import db
from hall.sorting import natural_sort_key
from hall.text import Translate

Progress = Callable[[int], None]

# Rows are written in chunks: the session flushes each with a few multi-row statements, and the
# caller hears of progress between them.
CHUNK_ROWS = 500


@dataclass
class ImportReport:
    """What an import did (or, for a dry run, would do) to the registry.

    Every row is one unit, so rows == units_created + units_updated + units_unchanged.
    units_updated counts units whose floor or area changed (or whose building, community or
    sort key had gone out of step with their stairwell and room); ownerships_changed counts
    units, new ones included, whose list of owners (or its order) changed.
    """

    rows: int = 0
    buildings_created: int = 0
    stairwells_created: int = 0
    units_created: int = 0
    units_updated: int = 0
    units_unchanged: int = 0
    people_created: int = 0
    ownerships_changed: int = 0
    units_not_in_file: int = 0
    dry_run: bool = False

    @property
    def changed(self) -> bool:
        return any(
            (
                self.buildings_created,
                self.stairwells_created,
                self.units_created,
                self.units_updated,
                self.people_created,
                self.ownerships_changed,
            )
        )


class RosterInvalid(Invalid):
    """A roster that cannot be imported, with everything wrong in it.

    `file_errors` and `row_errors` keep their phrases and parameters; a door renders them in
    the reader's language, in the API's error shape: `{"file": [text, ...], "rows": [{"row": n,
    "field": column, "code": code, "message": text}, ...]}`.
    """

    def __init__(self, file_errors: Sequence[FileError], row_errors: Sequence[RowError]):
        self.file_errors = tuple(file_errors)
        self.row_errors = tuple(row_errors)
        if self.file_errors:
            problem = self.file_errors[0].said()
            super().__init__(refusals.ROSTER_UNREADABLE, {"problem": problem})
        else:
            bad_rows = len({error.row for error in self.row_errors})
            super().__init__(refusals.ROSTER_HAS_BAD_ROWS, {"rows": bad_rows})

    def field_messages(self, translate: Translate) -> dict:
        fields: dict = {}
        if self.file_errors:
            fields["file"] = [error.text(translate) for error in self.file_errors]
        if self.row_errors:
            fields["rows"] = [
                {
                    "row": error.row,
                    "field": error.field,
                    "code": error.code,
                    "message": error.text(translate),
                }
                for error in self.row_errors
            ]
        return fields


def import_roster(
    actor: Actor,
    community_id: int,
    filename: str,
    data: bytes,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import a roster file (.csv or .xlsx, told apart by `filename`) into a community.

    Raises NotFound (a community the actor cannot see), Forbidden (one it may not import
    into), RosterInvalid (any bad row or file error: nothing written) or Conflict (the
    registry changed underneath). `dry_run` checks and counts but writes nothing. `progress`
    is called with the number of rows written so far.
    """
    community = _community_to_import_into(actor, community_id)
    return _import(community, read_roster(filename, data), dry_run, progress)


def import_read_roster(
    actor: Actor,
    community_id: int,
    roster: Roster,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """`import_roster` for a roster already read, by a caller that wanted its size first."""
    community = _community_to_import_into(actor, community_id)
    return _import(community, roster, dry_run, progress)


def _community_to_import_into(actor: Actor, community_id: int) -> Community:
    community = service.get_community(actor, community_id)
    service.require_roster_import(actor, community)
    return community


def _import(
    community: Community, roster: Roster, dry_run: bool, progress: Progress | None
) -> ImportReport:
    if not roster.is_valid:
        raise RosterInvalid(roster.file_errors, roster.row_errors)
    community_id = community.id
    try:
        report = RosterWriter(community_id, load_registry(community_id)).write(
            roster.rows, progress
        )
        report.dry_run = dry_run
        if dry_run:
            db.session.rollback()
            return report
        if report.changed:
            service.registry_changed(community_id, "roster", community_id)
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        raise refusals.REGISTRY_CHANGED_DURING_IMPORT() from error
    except BaseException:
        db.session.rollback()  # nothing half written
        raise
    return report


@dataclass
class Registry:
    """A community's registry held in memory, looked up by the roster's natural keys."""

    buildings: dict[str, Building]
    stairwells: dict[tuple[str, str], Stairwell]  # (building name, stairwell name)
    units: dict[tuple[int, str], Unit]  # (stairwell id, room)
    people: dict[tuple[str, str], Person]  # (name, phone)
    ownerships: dict[int, list[Ownership]]  # unit id -> its ownerships, in position order
    unit_ids_before: frozenset[int] = field(default_factory=frozenset)


def load_registry(community_id: int) -> Registry:
    """Everything an import compares against, in five queries whatever the file's size."""
    buildings = list(
        db.session.scalars(select(Building).where(Building.community_id == community_id))
    )
    building_names = {building.id: building.name for building in buildings}
    stairwells = db.session.scalars(
        select(Stairwell).where(Stairwell.building_id.in_(building_names))
    )
    # Units are found through their stairwells, not their denormalised community_id, so that
    # one whose copy went wrong is still matched (and repaired) rather than inserted twice.
    units = list(db.session.scalars(_of_community(select(Unit), community_id)))
    people = db.session.scalars(select(Person).where(Person.community_id == community_id))
    ownerships = db.session.scalars(
        _of_community(
            select(Ownership).join(Unit, Unit.id == Ownership.unit_id), community_id
        ).order_by(Ownership.unit_id, Ownership.position)
    )
    ownerships_of_unit: dict[int, list[Ownership]] = {}
    for ownership in ownerships:
        ownerships_of_unit.setdefault(ownership.unit_id, []).append(ownership)
    return Registry(
        buildings={building.name: building for building in buildings},
        stairwells={
            (building_names[stairwell.building_id], stairwell.name): stairwell
            for stairwell in stairwells
        },
        units={(unit.stairwell_id, unit.room): unit for unit in units},
        people={(person.name, person.phone): person for person in people},
        ownerships=ownerships_of_unit,
        unit_ids_before=frozenset(unit.id for unit in units),
    )


def _of_community(query, community_id: int):
    return (
        query.join(Stairwell, Stairwell.id == Unit.stairwell_id)
        .join(Building, Building.id == Stairwell.building_id)
        .where(Building.community_id == community_id)
    )


class RosterWriter:
    """Writes checked roster rows over a loaded registry, counting what it changes.

    New rows are given ids (foreign keys) rather than related objects: assigning a
    relationship would make SQLAlchemy load the other side's collection, a query per building
    or person.
    """

    def __init__(self, community_id: int, registry: Registry):
        self.community_id = community_id
        self.registry = registry
        self.report = ImportReport()
        self.unit_ids_in_file: set[int] = set()

    def write(self, rows: Sequence[RosterRow], progress: Progress | None) -> ImportReport:
        self.report.rows = len(rows)
        self._create_buildings_and_stairwells(rows)
        written = 0
        for chunk in _chunks(rows, CHUNK_ROWS):
            self._write_units(chunk)
            written += len(chunk)
            if progress is not None:
                progress(written)
        self.report.units_not_in_file = len(self.registry.unit_ids_before - self.unit_ids_in_file)
        return self.report

    def _create_buildings_and_stairwells(self, rows: Sequence[RosterRow]) -> None:
        for name in _unique(row.building for row in rows):
            if name not in self.registry.buildings:
                building = Building(
                    community_id=self.community_id, name=name, sort_key=natural_sort_key(name)
                )
                db.session.add(building)
                self.registry.buildings[name] = building
                self.report.buildings_created += 1
        db.session.flush()
        for key in _unique((row.building, row.stairwell) for row in rows):
            if key not in self.registry.stairwells:
                building_name, name = key
                stairwell = Stairwell(
                    building_id=self.registry.buildings[building_name].id,
                    name=name,
                    sort_key=natural_sort_key(name),
                )
                db.session.add(stairwell)
                self.registry.stairwells[key] = stairwell
                self.report.stairwells_created += 1
        db.session.flush()

    def _write_units(self, rows: Sequence[RosterRow]) -> None:
        owned = [(self._unit(row), [self._person(owner) for owner in row.owners]) for row in rows]
        db.session.flush()  # new units and people get their ids
        changed = [(unit, people) for unit, people in owned if self._owners_differ(unit, people)]
        for unit, _people in changed:
            for ownership in self.registry.ownerships.pop(unit.id, []):
                db.session.delete(ownership)
        # A unit's old owners leave before its new ones arrive: (unit, person) is unique, and
        # the session would insert before it deletes.
        db.session.flush()
        for unit, people in changed:
            self.registry.ownerships[unit.id] = [
                Ownership(
                    unit_id=unit.id,
                    person_id=person.id,
                    position=position,
                    is_designated_voter=position == 0,
                )
                for position, person in enumerate(people)
            ]
            db.session.add_all(self.registry.ownerships[unit.id])
        db.session.flush()
        self.report.ownerships_changed += len(changed)

    def _unit(self, row: RosterRow) -> Unit:
        stairwell = self.registry.stairwells[(row.building, row.stairwell)]
        wanted = {
            "community_id": self.community_id,
            "building_id": stairwell.building_id,
            "floor": row.floor,
            "area": row.area,
            "sort_key": natural_sort_key(row.room),
        }
        unit = self.registry.units.get((stairwell.id, row.room))
        if unit is None:
            unit = Unit(stairwell_id=stairwell.id, room=row.room, **wanted)
            db.session.add(unit)
            self.registry.units[(stairwell.id, row.room)] = unit
            self.report.units_created += 1
            return unit
        self.unit_ids_in_file.add(unit.id)
        differing = {name: value for name, value in wanted.items() if getattr(unit, name) != value}
        for name, value in differing.items():
            setattr(unit, name, value)
        if differing:
            self.report.units_updated += 1
        else:
            self.report.units_unchanged += 1
        return unit

    def _person(self, owner: Owner) -> Person:
        key = (owner.name, owner.phone)
        person = self.registry.people.get(key)
        if person is None:
            person = Person(community_id=self.community_id, name=owner.name, phone=owner.phone)
            db.session.add(person)
            self.registry.people[key] = person
            self.report.people_created += 1
        return person

    def _owners_differ(self, unit: Unit, people: list[Person]) -> bool:
        current = [
            (ownership.person_id, ownership.position, ownership.is_designated_voter)
            for ownership in self.registry.ownerships.get(unit.id, [])
        ]
        wanted = [(person.id, position, position == 0) for position, person in enumerate(people)]
        return current != wanted


def _unique(items: Iterable[Hashable]) -> list:
    return list(dict.fromkeys(items))


def _chunks(items: Sequence[RosterRow], size: int) -> Iterator[Sequence[RosterRow]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
