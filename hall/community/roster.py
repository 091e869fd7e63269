"""Reading property management's roster: the spreadsheet of units and their owners.

Pure: a file's name and bytes in, plain data out; no Flask, no database. `read_roster` reads a
CSV (UTF-8 with or without BOM, GB18030/GBK as Excel in China writes it, UTF-16) or an XLSX
workbook (its active sheet), finds the header row, and checks every row. It never stops at the
first problem: a roster comes back with every file error and every row error at once, so that
property management can fix the spreadsheet in one pass.

Messages are phrases (hall.text): a stable code and an English template marked with `N_`,
filled from `params` (`%(name)s`) in the reader's language by the door that shows them:

    error.text(gettext)      # or error.said(), the stored form, rendered later

A column named inside a message is said data of the column's own phrase (COLUMN_NAMES), so it
is shown in the reader's language too, never as its internal key.

Row numbers are the spreadsheet's own: the header is row 1 (or the row it was found on, when a
title sits above it), the first unit row 2.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import io
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from pathlib import PurePath

import openpyxl

from hall.text import N_, Phrase, Translate, phrase, untranslated

BUILDING = "building"
STAIRWELL = "stairwell"
ROOM = "room"
FLOOR = "floor"
AREA = "area"
OWNERS = "owners"
PHONE = "phone"
COLUMNS = (BUILDING, STAIRWELL, ROOM, FLOOR, AREA, OWNERS, PHONE)
PLACE_COLUMNS = (BUILDING, STAIRWELL, ROOM)  # together they name one unit

# Each column's name for a reader (the import page's table, a message naming a column).
COLUMN_NAMES: dict[str, Phrase] = {
    BUILDING: phrase("roster_column_building", N_("Building")),
    STAIRWELL: phrase("roster_column_stairwell", N_("Stairwell")),
    ROOM: phrase("roster_column_room", N_("Room")),
    FLOOR: phrase("roster_column_floor", N_("Floor")),
    AREA: phrase("roster_column_area", N_("Floor area")),
    OWNERS: phrase("roster_column_owners", N_("Owners")),
    PHONE: phrase("roster_column_phone", N_("Phone")),
}

# The headers property management writes for each column, as shown in error messages. Matching
# ignores case, whitespace, full-width forms and a unit in parentheses.
HEADERS: dict[str, tuple[str, ...]] = {
    BUILDING: ("楼栋", "楼号", "building"),
    STAIRWELL: ("单元", "stairwell", "entrance"),
    ROOM: ("房号", "室号", "room"),
    FLOOR: ("楼层", "floor"),
    AREA: ("建筑面积", "面积", "专有面积", "area", "exclusive area"),
    OWNERS: ("业主姓名", "业主", "owner", "owners"),
    PHONE: ("联系电话", "电话", "手机", "phone"),
}

SUPPORTED_EXTENSIONS = (".csv", ".xlsx")

# Headers are compared after NFKC, which already turns ㎡ and m² into "m2".
SQUARE_METRES = frozenset({"m2", "平方米", "平米", "sqm"})

FLOOR_LOWEST, FLOOR_HIGHEST = -10, 200  # the units table's floor_in_range check
AREA_LIMIT = Decimal(100000)
HUNDREDTH = Decimal("0.01")
# The widths of the registry's columns: longer text would fail at the database instead.
NAME_LIMITS = {BUILDING: 50, STAIRWELL: 50, ROOM: 20, OWNERS: 100, PHONE: 32}

OWNER_SEPARATORS = re.compile(r"[、，,;；／/]")
PHONE_CHARACTERS = re.compile(r"[0-9+()\- ]+")
BRACKETED_UNIT = re.compile(r"^(?P<name>.*?)[(\[【](?P<unit>[^)\]】]*)[)\]】]$")
# A title row or two may sit above the header; the header is the first row naming this many
# known columns, looked for among the first rows only.
HEADER_MIN_COLUMNS = 3
HEADER_SEARCH_ROWS = 10

# File errors -------------------------------------------------------------------------------
UNSUPPORTED_FILE = phrase(
    "roster_unsupported_file", N_("%(filename)s is not a .csv or .xlsx file.")
)
UNREADABLE_TEXT = phrase(
    "roster_unreadable_text",
    N_("The file is not text in UTF-8 or GB18030; save it again as CSV (UTF-8)."),
)
UNREADABLE_WORKBOOK = phrase(
    "roster_unreadable_workbook", N_("The file cannot be read as an Excel workbook (.xlsx).")
)
EMPTY_FILE = phrase("roster_empty_file", N_("The file is empty."))
NO_UNITS = phrase("roster_no_units", N_("The file has a header row but no units under it."))
MISSING_COLUMN = phrase(
    "roster_missing_column",
    N_("The %(column)s column is missing: give it one of the headers %(headers)s."),
)
DUPLICATE_COLUMN = phrase(
    "roster_duplicate_column", N_("Two columns hold the %(column)s: %(first)s and %(second)s.")
)
WRONG_AREA_UNIT = phrase(
    "roster_wrong_area_unit",
    N_("The area column is in %(unit)s; Hall takes square metres (㎡, m², m2 or 平方米)."),
)

# Row errors --------------------------------------------------------------------------------
EMPTY_CELL = phrase("roster_empty_cell", N_("This cell is empty."))
TOO_LONG = phrase("roster_too_long", N_("At most %(limit)d characters, not %(length)d."))
FLOOR_NOT_WHOLE = phrase("roster_floor_not_whole", N_("%(value)s is not a whole floor number."))
FLOOR_OUT_OF_RANGE = phrase(
    "roster_floor_out_of_range", N_("Floor %(value)s is not between %(lowest)d and %(highest)d.")
)
AREA_NOT_NUMBER = phrase(
    "roster_area_not_number", N_("%(value)s is not an area in square metres.")
)
AREA_NOT_POSITIVE = phrase(
    "roster_area_not_positive", N_("The area must be greater than zero, not %(value)s.")
)
AREA_TOO_PRECISE = phrase(
    "roster_area_too_precise", N_("The area has at most two decimal places, not %(value)s.")
)
AREA_TOO_LARGE = phrase(
    "roster_area_too_large", N_("The area is at most %(limit)s m², not %(value)s.")
)
DUPLICATE_ROOM = phrase(
    "roster_duplicate_room",
    N_("Room %(room)s of %(building)s %(stairwell)s is already listed on row %(first_row)d."),
)
NO_OWNER = phrase("roster_no_owner", N_("At least one owner is needed."))
OWNER_TWICE = phrase(
    "roster_owner_twice", N_("%(name)s is listed twice as an owner of this unit.")
)
NOT_A_PHONE = phrase("roster_not_a_phone", N_("%(value)s is not a phone number."))
PHONES_NOT_PAIRED = phrase(
    "roster_phones_not_paired",
    N_(
        "%(phones)d phone numbers for %(owners)d owners: give one number shared by all, "
        "or one for each owner."
    ),
)


@dataclass(frozen=True)
class FileError:
    """A problem with the file as a whole: nothing in it can be read as units until it is fixed.

    `column` names the roster column concerned (one of COLUMNS), or is None for the file itself.
    """

    message: Phrase
    params: dict = dataclasses.field(default_factory=dict)
    column: str | None = None

    def text(self, translate: Translate = untranslated) -> str:
        """The message filled in, in the language `translate` (gettext) speaks."""
        return self.message.render(translate, self.params)

    @property
    def code(self) -> str:
        return self.message.code

    def said(self) -> dict:
        return self.message(**self.params)


@dataclass(frozen=True)
class RowError:
    """One bad cell: its spreadsheet row (the header is row 1), its column, and why."""

    row: int
    field: str
    message: Phrase
    params: dict = dataclasses.field(default_factory=dict)

    def text(self, translate: Translate = untranslated) -> str:
        """The message filled in, in the language `translate` (gettext) speaks."""
        return self.message.render(translate, self.params)

    @property
    def code(self) -> str:
        return self.message.code


@dataclass(frozen=True)
class Owner:
    """An owner as the roster names them: the same name and phone is the same person."""

    name: str
    phone: str


@dataclass(frozen=True)
class RosterRow:
    """One unit of the roster, checked: owners in the roster's order, the first votes."""

    row: int
    building: str
    stairwell: str
    room: str
    floor: int
    area: Decimal
    owners: tuple[Owner, ...]

    @property
    def place(self) -> tuple[str, str, str]:
        return (self.building, self.stairwell, self.room)


@dataclass(frozen=True)
class Roster:
    """What a roster file held: its good rows and every error found in it."""

    rows: tuple[RosterRow, ...] = ()
    file_errors: tuple[FileError, ...] = ()
    row_errors: tuple[RowError, ...] = ()

    @property
    def is_valid(self) -> bool:
        return not self.file_errors and not self.row_errors


def is_supported_filename(filename: str) -> bool:
    return PurePath(filename).suffix.lower() in SUPPORTED_EXTENSIONS


def read_roster(filename: str, data: bytes) -> Roster:
    """Read and check a roster file; the file's name decides between CSV and XLSX."""
    suffix = PurePath(filename).suffix.lower()
    if suffix not in SUPPORTED_EXTENSIONS:
        return _failed(FileError(UNSUPPORTED_FILE, {"filename": filename or "?"}))
    try:
        table = read_xlsx_table(data) if suffix == ".xlsx" else read_csv_table(data)
    except UnreadableFile as error:
        return _failed(error.error)
    return read_table(table)


# Reading cells --------------------------------------------------------------------------------


class UnreadableFile(Exception):
    def __init__(self, error: FileError):
        super().__init__(error.text())
        self.error = error


def _failed(error: FileError) -> Roster:
    return Roster(file_errors=(error,))


Table = list[tuple[int, list[str]]]  # (spreadsheet row number, its cells as text)


def read_csv_table(data: bytes) -> Table:
    text = _decode(data)
    lines = text.splitlines()
    delimiter = _delimiter(lines[0] if lines else "")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    # A quoted cell may hold a line break: the record number, not the line number, is the row
    # a spreadsheet program shows.
    return [(number, [cell.strip() for cell in cells]) for number, cells in enumerate(reader, 1)]


def _decode(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decode_as(data, "utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # What Excel writes as "CSV" on a Chinese Windows: GBK, which GB18030 contains.
        return _decode_as(data, "gb18030")


def _decode_as(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        raise UnreadableFile(FileError(UNREADABLE_TEXT)) from error


def _delimiter(header_line: str) -> str:
    # Excel writes tabs for "Unicode text" and semicolons in some locales.
    counts = {candidate: header_line.count(candidate) for candidate in (",", "\t", ";")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def read_xlsx_table(data: bytes) -> Table:
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:
        # openpyxl reports a damaged or foreign file through a dozen exception types (zip, XML,
        # KeyError, ValueError...); to the person uploading it they all mean the same.
        raise UnreadableFile(FileError(UNREADABLE_WORKBOOK)) from error
    try:
        sheet = workbook.active
        # Some programs write a wrong sheet size; reading to the real end needs it forgotten.
        sheet.reset_dimensions()
        return [
            (number, [_cell_text(value) for value in values])
            for number, values in enumerate(sheet.iter_rows(values_only=True), 1)
        ]
    except Exception as error:
        raise UnreadableFile(FileError(UNREADABLE_WORKBOOK)) from error
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        # Excel keeps every number as a float: 3.0 is floor 3, and repr gives back 89.52, not
        # 89.5199999.
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value).strip()


# The header -----------------------------------------------------------------------------------

_ALIASES: dict[str, str] = {
    re.sub(r"\s+", "", alias.casefold()): column
    for column, aliases in HEADERS.items()
    for alias in aliases
}


@dataclass(frozen=True)
class HeaderCell:
    column: str | None  # None when the header is not one of the roster's columns
    unit: str  # what stood in brackets after the name, as written; "" when nothing did


def read_header_cell(header: str) -> HeaderCell:
    """Which roster column a header names, with the unit written after it."""
    compact = re.sub(r"\s+", "", unicodedata.normalize("NFKC", header).casefold())
    unit = ""
    bracketed = BRACKETED_UNIT.match(compact)
    if bracketed:
        compact, unit = bracketed.group("name"), bracketed.group("unit")
    if compact in _ALIASES:
        return HeaderCell(_ALIASES[compact], unit)
    for written_unit in SQUARE_METRES:  # "面积m2", "面积平方米": the unit without brackets
        if compact.endswith(written_unit) and _ALIASES.get(compact[: -len(written_unit)]):
            return HeaderCell(_ALIASES[compact[: -len(written_unit)]], written_unit)
    return HeaderCell(None, unit)


@dataclass(frozen=True)
class Header:
    row: int
    positions: dict[str, int]  # column -> index of the cell holding it
    errors: tuple[FileError, ...]


def find_header(table: Table) -> Header | None:
    """The header row: the first naming enough roster columns, else the first non-empty row."""
    non_empty = [(number, cells) for number, cells in table if any(cells)]
    if not non_empty:
        return None
    for number, cells in non_empty[:HEADER_SEARCH_ROWS]:
        known = {read_header_cell(cell).column for cell in cells} - {None}
        if len(known) >= HEADER_MIN_COLUMNS:
            return _read_header(number, cells)
    return _read_header(*non_empty[0])


def _read_header(number: int, cells: list[str]) -> Header:
    positions: dict[str, int] = {}
    errors: list[FileError] = []
    for index, cell in enumerate(cells):
        header = read_header_cell(cell)
        if header.column is None:
            continue  # remarks and other columns of the office's own are ignored
        if header.column in positions:
            first = cells[positions[header.column]]
            column_name = COLUMN_NAMES[header.column]()
            params = {"column": column_name, "first": first, "second": cell}
            errors.append(FileError(DUPLICATE_COLUMN, params, header.column))
            continue
        positions[header.column] = index
        if header.column == AREA and header.unit and header.unit not in SQUARE_METRES:
            written_unit = _written_unit(cell)
            errors.append(FileError(WRONG_AREA_UNIT, {"unit": written_unit}, AREA))
    for column in COLUMNS:
        if column not in positions:
            params = {"column": COLUMN_NAMES[column](), "headers": " / ".join(HEADERS[column])}
            errors.append(FileError(MISSING_COLUMN, params, column))
    return Header(number, positions, tuple(errors))


def _written_unit(header: str) -> str:
    bracketed = re.search(r"[(（\[【［](.*)[)）\]】］]\s*$", header)
    return bracketed.group(1).strip() if bracketed else header


# The rows -------------------------------------------------------------------------------------


def read_table(table: Table) -> Roster:
    """Check every row under the header; rows with any error are left out of `rows`."""
    header = find_header(table)
    if header is None:
        return _failed(FileError(EMPTY_FILE))
    if header.errors:
        return Roster(file_errors=header.errors)
    rows: list[RosterRow] = []
    errors: list[RowError] = []
    first_row_of_place: dict[tuple[str, str, str], int] = {}
    for number, cells in table:
        if number <= header.row or not any(cells):
            continue
        values = {column: _cell(cells, index) for column, index in header.positions.items()}
        row, row_errors = check_row(number, values)
        row_errors += _duplicate_place(number, values, first_row_of_place)
        errors.extend(row_errors)
        if row is not None and not row_errors:
            rows.append(row)
    if not rows and not errors:
        return _failed(FileError(NO_UNITS))
    return Roster(rows=tuple(rows), row_errors=tuple(errors))


def _cell(cells: list[str], index: int) -> str:
    return cells[index].strip() if index < len(cells) else ""


def _duplicate_place(
    number: int, values: dict[str, str], first_row_of_place: dict[tuple[str, str, str], int]
) -> list[RowError]:
    place = (values[BUILDING], values[STAIRWELL], values[ROOM])
    if not all(place):
        return []  # already reported as empty
    first_row = first_row_of_place.setdefault(place, number)
    if first_row == number:
        return []
    params = {
        "building": place[0],
        "stairwell": place[1],
        "room": place[2],
        "first_row": first_row,
    }
    return [RowError(number, ROOM, DUPLICATE_ROOM, params)]


def check_row(number: int, values: dict[str, str]) -> tuple[RosterRow | None, list[RowError]]:
    """One row's cells checked: the unit it describes, or None, and every error in it."""
    errors: list[RowError] = []

    def report(column: str, message: Phrase, **params) -> None:
        errors.append(RowError(number, column, message, params))

    names = {column: _name(values[column], column, report) for column in PLACE_COLUMNS}
    floor = _floor(values[FLOOR], report)
    area = _area(values[AREA], report)
    owners = _owners(values[OWNERS], values[PHONE], report)
    if errors:
        return None, errors
    row = RosterRow(number, names[BUILDING], names[STAIRWELL], names[ROOM], floor, area, owners)
    return row, errors


Report = Callable[..., None]


def _name(value: str, column: str, report: Report) -> str:
    if not value:
        report(column, EMPTY_CELL)
    elif len(value) > NAME_LIMITS[column]:
        report(column, TOO_LONG, limit=NAME_LIMITS[column], length=len(value))
    return value


def _floor(value: str, report: Report) -> int:
    if not value:
        report(FLOOR, EMPTY_CELL)
        return 0
    number = _decimal(value)
    if number is None or number != number.to_integral_value():
        report(FLOOR, FLOOR_NOT_WHOLE, value=value)
        return 0
    if not FLOOR_LOWEST <= number <= FLOOR_HIGHEST:
        report(FLOOR, FLOOR_OUT_OF_RANGE, value=value, lowest=FLOOR_LOWEST, highest=FLOOR_HIGHEST)
        return 0
    return int(number)


def _area(value: str, report: Report) -> Decimal:
    if not value:
        report(AREA, EMPTY_CELL)
        return Decimal(0)
    area = _decimal(value)
    if area is None:
        report(AREA, AREA_NOT_NUMBER, value=value)
    elif area <= 0:
        report(AREA, AREA_NOT_POSITIVE, value=value)
    elif area > AREA_LIMIT:
        report(AREA, AREA_TOO_LARGE, value=value, limit=str(AREA_LIMIT))
    elif area != area.quantize(HUNDREDTH):
        report(AREA, AREA_TOO_PRECISE, value=value)
    else:
        return area.quantize(HUNDREDTH)
    return Decimal(0)


def _decimal(value: str) -> Decimal | None:
    try:
        number = Decimal(unicodedata.normalize("NFKC", value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def split_list(value: str) -> list[str]:
    """The parts of a cell listing several names or numbers: 林强、钱磊涛."""
    return [part.strip() for part in OWNER_SEPARATORS.split(value) if part.strip()]


def _owners(names_cell: str, phones_cell: str, report: Report) -> tuple[Owner, ...]:
    names = split_list(names_cell)
    phones = [unicodedata.normalize("NFKC", phone) for phone in split_list(phones_cell)]
    if not names:
        report(OWNERS, NO_OWNER)
        return ()
    for name in names:
        if len(name) > NAME_LIMITS[OWNERS]:
            report(OWNERS, TOO_LONG, limit=NAME_LIMITS[OWNERS], length=len(name))
    for phone in phones:
        _check_phone(phone, report)
    if len(phones) > 1 and len(phones) != len(names):
        report(PHONE, PHONES_NOT_PAIRED, phones=len(phones), owners=len(names))
        return ()
    # One number, or none, is the household's, shared by every co-owner.
    paired = phones if len(phones) > 1 else [phones[0] if phones else ""] * len(names)
    owners = tuple(Owner(name, phone) for name, phone in zip(names, paired, strict=True))
    _report_owners_twice(owners, report)
    return owners


def _check_phone(phone: str, report: Report) -> None:
    if not PHONE_CHARACTERS.fullmatch(phone) or not any(c.isdigit() for c in phone):
        report(PHONE, NOT_A_PHONE, value=phone)
    elif len(phone) > NAME_LIMITS[PHONE]:
        report(PHONE, TOO_LONG, limit=NAME_LIMITS[PHONE], length=len(phone))


def _report_owners_twice(owners: Iterable[Owner], report: Report) -> None:
    seen: set[Owner] = set()
    for owner in owners:
        if owner in seen:
            report(OWNERS, OWNER_TWICE, name=owner.name)
        seen.add(owner)
