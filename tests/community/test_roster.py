"""Reading property management's roster: pure, no database."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from hall.community import roster
from hall.community.roster import Owner, RowError, read_roster

REAL_ROSTER = Path(__file__).parent / "data" / "roster-jinshijie.csv"
CHINESE_HEADER = ["楼栋", "单元", "房号", "楼层", "建筑面积(㎡)", "业主姓名", "联系电话"]
ENGLISH_HEADER = ["building", "stairwell", "room", "floor", "area (m²)", "owners", "phone"]


def csv_bytes(rows: list[list[str]], header: list[str] = CHINESE_HEADER) -> bytes:
    lines = [",".join(header)] + [",".join(row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def xlsx_bytes(rows: list[list[object]], header: list[str] = CHINESE_HEADER) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def real_rows() -> list[list[str]]:
    lines = REAL_ROSTER.read_text(encoding="utf-8-sig").splitlines()
    return [line.split(",") for line in lines[1:]]


def errors_by_place(result: roster.Roster) -> set[tuple[int, str]]:
    return {(error.row, error.field) for error in result.row_errors}


def good_row(room: str = "101", **cells: str) -> list[str]:
    values = {
        "building": "1栋",
        "stairwell": "1单元",
        "room": room,
        "floor": "1",
        "area": "89.52",
        "owners": "杜英",
        "phone": "13800000667",
    }
    values.update(cells)
    return [values[column] for column in roster.COLUMNS]


# The real file --------------------------------------------------------------------------------


def test_the_jinshijie_roster_reads_as_102_units_without_errors():
    result = read_roster(REAL_ROSTER.name, REAL_ROSTER.read_bytes())
    assert result.is_valid
    assert len(result.rows) == 102
    first = result.rows[0]
    assert (first.row, first.building, first.stairwell, first.room) == (2, "1栋", "1单元", "101")
    assert (first.floor, first.area, first.owners) == (
        1,
        Decimal("89.52"),
        (Owner("杜英", "13800000667"),),
    )
    assert {row.building for row in result.rows} == {"1栋", "2栋", "3栋"}


def test_co_owners_of_one_flat_share_its_phone_and_the_first_listed_comes_first():
    result = read_roster(REAL_ROSTER.name, REAL_ROSTER.read_bytes())
    co_owned = [row for row in result.rows if len(row.owners) > 1]
    assert [(row.row, row.place) for row in co_owned] == [(12, ("1栋", "1单元", "601"))]
    assert co_owned[0].owners == (Owner("林强", "13800004947"), Owner("钱磊涛", "13800004947"))


def test_one_owner_of_two_flats_is_the_same_name_and_phone_on_both_rows():
    result = read_roster(REAL_ROSTER.name, REAL_ROSTER.read_bytes())
    flats_of = {}
    for row in result.rows:
        for owner in row.owners:
            flats_of.setdefault(owner, []).append(row.room)
    several = {owner: rooms for owner, rooms in flats_of.items() if len(rooms) > 1}
    assert several == {Owner("谭英娟", "13800002330"): ["301", "302"]}
    assert len(flats_of) == 102  # 102 flats, one owner of two, one flat of two owners


# Encodings and formats ------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16"])
def test_a_csv_reads_the_same_in_every_encoding_excel_writes(encoding):
    text = REAL_ROSTER.read_text(encoding="utf-8-sig")
    expected = read_roster("roster.csv", text.encode("utf-8"))
    assert read_roster("roster.csv", text.encode(encoding)) == expected


def test_a_tab_separated_export_reads_like_a_comma_separated_one():
    text = REAL_ROSTER.read_text(encoding="utf-8-sig")
    tabbed = text.replace(",", "\t").encode("utf-8")
    assert read_roster("roster.csv", tabbed) == read_roster("roster.csv", text.encode("utf-8"))


def test_an_xlsx_workbook_with_numbers_in_number_cells_reads_like_the_csv():
    rows = [
        [building, stairwell, int(room), int(floor), float(area), owners, int(phone)]
        for building, stairwell, room, floor, area, owners, phone in real_rows()
    ]
    result = read_roster("名册.XLSX", xlsx_bytes(rows))
    assert result == read_roster(REAL_ROSTER.name, REAL_ROSTER.read_bytes())


def test_blank_rows_in_a_workbook_are_skipped_and_later_rows_keep_their_numbers():
    workbook_rows = [good_row("101"), [None] * 7, [], good_row("102", area="89.5")]
    result = read_roster("roster.xlsx", xlsx_bytes(workbook_rows))
    assert [(row.row, row.room, row.area) for row in result.rows] == [
        (2, "101", Decimal("89.52")),
        (5, "102", Decimal("89.50")),
    ]


def test_a_title_row_above_the_header_is_passed_over_and_rows_keep_spreadsheet_numbers():
    data = ("金世界花园业主名册\n" + csv_bytes([good_row("101")]).decode()).encode("utf-8")
    result = read_roster("roster.csv", data)
    assert result.is_valid
    assert [row.row for row in result.rows] == [3]


# Headers --------------------------------------------------------------------------------------


def test_english_headers_read_the_same_as_chinese_ones():
    english = read_roster("roster.csv", csv_bytes([good_row()], ENGLISH_HEADER))
    chinese = read_roster("roster.csv", csv_bytes([good_row()]))
    assert english.is_valid
    assert english == chinese


@pytest.mark.parametrize(
    "header",
    [
        ["楼号", "单元", "室号", "楼层", "面积", "业主", "电话"],
        [" 楼栋 ", "单元", "房号", "楼层", "建筑面积（㎡）", "业主姓名", "手机"],
        ["Building", "Entrance", "Room", "Floor", "Exclusive Area (m2)", "Owner", "Phone"],
        ["楼栋", "单元", "房号", "楼层", "专有面积（平方米）", "业主姓名", "联系电话"],
        ["楼栋", "单元", "房号", "楼层", "面积m²", "业主姓名", "联系电话"],
        ["楼栋", "备注", "单元", "房号", "楼层", "建筑面积[m²]", "业主姓名", "联系电话"],
    ],
)
def test_header_aliases_spacing_full_width_brackets_and_area_units_are_understood(header):
    row = good_row()
    if "备注" in header:  # a column of the office's own is ignored
        row.insert(1, "已交房")
    result = read_roster("roster.csv", csv_bytes([row], header))
    assert result.is_valid, result.file_errors
    assert result.rows[0].area == Decimal("89.52")


def test_an_area_measured_in_another_unit_is_a_file_error():
    header = CHINESE_HEADER[:4] + ["area (sq ft)"] + CHINESE_HEADER[5:]
    result = read_roster("roster.csv", csv_bytes([good_row()], header))
    assert not result.rows
    [error] = result.file_errors
    assert (error.column, error.params) == ("area", {"unit": "sq ft"})
    assert "sq ft" in error.text()


def test_a_missing_column_is_a_file_error_naming_the_column():
    header = [h for h in CHINESE_HEADER if h != "楼层"]
    rows = [[cell for index, cell in enumerate(good_row()) if index != 3]]
    result = read_roster("roster.csv", csv_bytes(rows, header))
    [error] = result.file_errors
    assert error.column == "floor"
    assert "floor" in error.text() and "楼层" in error.text()


def test_every_missing_column_is_named_at_once():
    result = read_roster("roster.csv", csv_bytes([["1栋", "101"]], ["楼栋", "房号"]))
    assert {error.column for error in result.file_errors} == {
        "stairwell",
        "floor",
        "area",
        "owners",
        "phone",
    }


def test_two_columns_for_the_same_thing_is_a_file_error():
    header = CHINESE_HEADER + ["面积"]
    result = read_roster("roster.csv", csv_bytes([good_row() + ["89.52"]], header))
    [error] = result.file_errors
    assert error.params == {
        "column": roster.COLUMN_NAMES["area"](),
        "first": "建筑面积(㎡)",
        "second": "面积",
    }
    assert error.text() == "Two columns hold the Floor area: 建筑面积(㎡) and 面积."


# Files that cannot be read --------------------------------------------------------------------


@pytest.mark.parametrize("filename", ["roster.xls", "roster.numbers", "roster", ""])
def test_only_csv_and_xlsx_files_are_read(filename):
    result = read_roster(filename, csv_bytes([good_row()]))
    [error] = result.file_errors
    assert error.message == roster.UNSUPPORTED_FILE


def test_a_file_that_is_not_a_workbook_is_a_file_error():
    result = read_roster("roster.xlsx", csv_bytes([good_row()]))
    assert [error.message for error in result.file_errors] == [roster.UNREADABLE_WORKBOOK]


def test_bytes_that_are_no_known_text_encoding_are_a_file_error():
    result = read_roster("roster.csv", b"\x81\x30\xff\xff\x00,\n")
    assert [error.message for error in result.file_errors] == [roster.UNREADABLE_TEXT]


@pytest.mark.parametrize(
    ("data", "message"),
    [(b"", roster.EMPTY_FILE), (b"\n,,\n", roster.EMPTY_FILE)],
)
def test_an_empty_file_is_a_file_error(data, message):
    assert [error.message for error in read_roster("roster.csv", data).file_errors] == [message]


def test_a_header_without_units_is_a_file_error():
    result = read_roster("roster.csv", csv_bytes([]))
    assert [error.message for error in result.file_errors] == [roster.NO_UNITS]


# Rows -----------------------------------------------------------------------------------------


def test_every_bad_row_is_reported_with_its_row_and_field_all_at_once():
    rows = [
        good_row("101"),  # row 2: good
        good_row("101"),  # row 3: the same room again
        good_row("102", area="-89.52"),  # row 4
        good_row("103", area="0"),  # row 5
        good_row("104", area="89.525"),  # row 6
        good_row("105", area="一百"),  # row 7
        good_row("106", area="100000.01"),  # row 8
        good_row("107", floor="201"),  # row 9
        good_row("108", floor="-11"),  # row 10
        good_row("109", floor="3.5"),  # row 11
        good_row("110", floor="三"),  # row 12
        good_row("111", owners=""),  # row 13
        good_row("112", owners="、"),  # row 14
        good_row("113", building=""),  # row 15
        good_row("", floor=""),  # row 16: two empty cells, two errors
        good_row("114", phone="1.38E+10"),  # row 17: Excel ate the phone number
        good_row("115"),  # row 18: good
    ]
    result = read_roster("roster.csv", csv_bytes(rows))
    assert not result.file_errors
    assert errors_by_place(result) == {
        (3, "room"),
        (4, "area"),
        (5, "area"),
        (6, "area"),
        (7, "area"),
        (8, "area"),
        (9, "floor"),
        (10, "floor"),
        (11, "floor"),
        (12, "floor"),
        (13, "owners"),
        (14, "owners"),
        (15, "building"),
        (16, "room"),
        (16, "floor"),
        (17, "phone"),
    }
    assert [row.row for row in result.rows] == [2, 18]
    assert not result.is_valid


def test_a_repeated_room_is_reported_on_the_later_row_naming_the_first():
    rows = [good_row("101"), good_row("102"), good_row("101", owners="黄涵")]
    [error] = read_roster("roster.csv", csv_bytes(rows)).row_errors
    assert (error.row, error.field, error.params["first_row"]) == (4, "room", 2)
    assert error.text() == "Room 101 of 1栋 1单元 is already listed on row 2."


def test_the_same_room_number_in_another_stairwell_is_another_unit():
    rows = [good_row("101"), good_row("101", stairwell="2单元")]
    assert read_roster("roster.csv", csv_bytes(rows)).is_valid


@pytest.mark.parametrize(
    ("area", "message"),
    [
        ("-1", roster.AREA_NOT_POSITIVE),
        ("0", roster.AREA_NOT_POSITIVE),
        ("0.00", roster.AREA_NOT_POSITIVE),
        ("89.525", roster.AREA_TOO_PRECISE),
        ("100000.01", roster.AREA_TOO_LARGE),
        ("NaN", roster.AREA_NOT_NUMBER),
        ("89,52", roster.AREA_NOT_NUMBER),
    ],
)
def test_an_area_must_be_positive_with_at_most_two_places(area, message):
    [error] = read_roster("roster.csv", csv_bytes([good_row(area=f'"{area}"')])).row_errors
    assert (error.row, error.field, error.message) == (2, "area", message)


@pytest.mark.parametrize("area", ["100000", "0.01", "89.520", "８９．５２"])
def test_areas_up_to_the_limit_with_two_places_are_accepted(area):
    assert read_roster("roster.csv", csv_bytes([good_row(area=area)])).is_valid


@pytest.mark.parametrize(
    ("floor", "expected"), [("-10", -10), ("200", 200), ("0", 0), ("3.0", 3), (" 7 ", 7)]
)
def test_floors_from_minus_ten_to_two_hundred_are_accepted(floor, expected):
    result = read_roster("roster.csv", csv_bytes([good_row(floor=floor)]))
    assert result.rows[0].floor == expected


def test_a_floor_out_of_range_names_the_range():
    [error] = read_roster("roster.csv", csv_bytes([good_row(floor="201")])).row_errors
    assert error.text() == "Floor 201 is not between -10 and 200."


@pytest.mark.parametrize("separator", ["、", "，", ",", ";", "；", "/", "／"])
def test_co_owners_are_split_on_every_separator_offices_use(separator):
    owners = f'"林强{separator}钱磊涛"'
    result = read_roster("roster.csv", csv_bytes([good_row(owners=owners, phone="13800004947")]))
    assert [owner.name for owner in result.rows[0].owners] == ["林强", "钱磊涛"]


def test_as_many_phones_as_owners_are_paired_in_order():
    row = good_row(owners="林强、钱磊涛", phone="13800004947/13900000002")
    result = read_roster("roster.csv", csv_bytes([row]))
    assert result.rows[0].owners == (
        Owner("林强", "13800004947"),
        Owner("钱磊涛", "13900000002"),
    )


def test_a_phone_count_that_matches_neither_one_nor_the_owners_is_an_error():
    row = good_row(owners="林强、钱磊涛、王芳", phone="13800004947/13900000002")
    [error] = read_roster("roster.csv", csv_bytes([row])).row_errors
    assert (error.field, error.params) == ("phone", {"phones": 2, "owners": 3})


def test_an_owner_without_a_phone_is_accepted_with_an_empty_phone():
    result = read_roster("roster.csv", csv_bytes([good_row(phone="")]))
    assert result.rows[0].owners == (Owner("杜英", ""),)


def test_the_same_owner_listed_twice_for_one_flat_is_an_error():
    [error] = read_roster("roster.csv", csv_bytes([good_row(owners="林强、林强")])).row_errors
    assert (error.field, error.params) == ("owners", {"name": "林强"})


def test_names_longer_than_the_registry_holds_are_errors():
    row = good_row("1" * 21, building="栋" * 51)
    result = read_roster("roster.csv", csv_bytes([row]))
    assert errors_by_place(result) == {(2, "room"), (2, "building")}


def test_a_row_error_is_translated_before_it_is_filled_in():
    error = RowError(4, "area", roster.AREA_NOT_POSITIVE, {"value": "-1"})
    translations = {roster.AREA_NOT_POSITIVE.template: "面积必须大于零，而不是 %(value)s。"}
    assert error.text() == "The area must be greater than zero, not -1."
    assert error.text(translations.get) == "面积必须大于零，而不是 -1。"
