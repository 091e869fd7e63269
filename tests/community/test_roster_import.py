"""Importing property management's roster into the registry: service, REST API and CLI."""

from __future__ import annotations

import io
import time
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import event, func, select

from hall.community import accounts, roster_import
from hall.community.cli import OPERATOR, import_roster_command
from hall.community.models import (
    Account,
    Building,
    Community,
    Ownership,
    Person,
    Stairwell,
    Subdistrict,
    Unit,
)
from hall.community.roles import Role
from hall.community.roster_import import ImportReport, Registry, RosterInvalid, import_roster
from hall.errors import Conflict, Forbidden, NotFound
from hall.extensions import db as hall_db
from hall.extensions import socketio
from hall.sorting import natural_sort_key
from tests import factories

REAL_ROSTER = Path(__file__).parent / "data" / "roster-jinshijie.csv"
REGISTRY_MODELS = (Building, Stairwell, Unit, Person, Ownership)
HEADER = "楼栋,单元,房号,楼层,建筑面积(㎡),业主姓名,联系电话"


def real_roster() -> bytes:
    return REAL_ROSTER.read_bytes()


def edited_roster(replace: dict[str, str] | None = None, drop: str | None = None) -> bytes:
    """The real roster with some lines replaced (by their first cells) or dropped."""
    lines = REAL_ROSTER.read_text(encoding="utf-8").splitlines()
    edited = []
    for line in lines:
        place = ",".join(line.split(",")[:3])
        if place == drop:
            continue
        edited.append(replace.get(place, line) if replace else line)
    return ("\n".join(edited) + "\n").encode("utf-8")


def generated_roster(units: int) -> bytes:
    """A roster of `units` flats, ten floors of four flats per stairwell, one owner each."""
    lines = [HEADER]
    for number in range(units):
        stairwell_number, place = divmod(number, 40)
        floor, flat = divmod(place, 4)
        building = f"{stairwell_number // 2 + 1}栋"
        stairwell = f"{stairwell_number % 2 + 1}单元"
        room = f"{floor + 1}{flat + 1:02d}"
        owner = f"业主{number}"
        lines.append(f"{building},{stairwell},{room},{floor + 1},95.5,{owner},139{number:08d}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def xlsx_of(csv_data: bytes) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for line in csv_data.decode("utf-8-sig").splitlines():
        sheet.append(line.split(","))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def actor(username: str):
    account = hall_db.session.scalar(select(Account).where(Account.username == username))
    return accounts.actor_for(account)


def row_counts() -> dict[str, int]:
    return {
        model.__tablename__: hall_db.session.scalar(select(func.count()).select_from(model))
        for model in REGISTRY_MODELS
    }


def registry_snapshot() -> dict[str, list[tuple]]:
    """Every row of the registry's tables, ids and all."""
    return {
        model.__tablename__: [
            tuple(row)
            for row in hall_db.session.execute(
                select(model.__table__).order_by(model.__table__.c.id)
            )
        ]
        for model in REGISTRY_MODELS
    }


def unit_at(community_id: int, building: str, stairwell: str, room: str) -> Unit:
    return hall_db.session.scalar(
        select(Unit)
        .join(Stairwell, Stairwell.id == Unit.stairwell_id)
        .join(Building, Building.id == Stairwell.building_id)
        .where(
            Building.community_id == community_id,
            Building.name == building,
            Stairwell.name == stairwell,
            Unit.room == room,
        )
    )


def owners_of(unit: Unit) -> list[tuple[str, int, bool]]:
    return [
        (ownership.person.name, ownership.position, ownership.is_designated_voter)
        for ownership in unit.ownerships
    ]


@pytest.fixture
def empty_community(app, world) -> int:
    """A community of Jiangbei with nothing registered in it yet."""
    with app.app_context():
        jiangbei = hall_db.session.get(Subdistrict, world.jiangbei)
        community = factories.community(jiangbei, "金世界花园二期")
        hall_db.session.commit()
        return community.id


@pytest.fixture
def emitted(monkeypatch) -> list[tuple]:
    """The Socket.IO events emitted while the test runs."""
    events: list[tuple] = []
    monkeypatch.setattr(
        socketio, "emit", lambda name, payload, to=None: events.append((name, payload, to))
    )
    return events


# Through the service --------------------------------------------------------------------------


def test_the_real_roster_fills_an_empty_community_with_102_units(ctx, empty_community):
    report = import_roster(OPERATOR, empty_community, REAL_ROSTER.name, real_roster())
    assert report == ImportReport(
        rows=102,
        buildings_created=3,
        stairwells_created=6,
        units_created=102,
        people_created=102,  # 谭英娟 owns two flats; 林强 and 钱磊涛 share one
        ownerships_changed=102,
    )
    assert row_counts() == {
        "buildings": 3 + 4,  # the world's four other buildings stay
        "stairwells": 6 + 5,
        "units": 102 + 7,
        "people": 102 + 5,  # and the world's five
        "ownerships": 103 + 5,
    }


def test_an_owner_of_two_flats_is_one_person_owning_both(ctx, empty_community):
    import_roster(OPERATOR, empty_community, REAL_ROSTER.name, real_roster())
    [owner] = hall_db.session.scalars(
        select(Person).where(Person.community_id == empty_community, Person.name == "谭英娟")
    )
    assert owner.phone == "13800002330"
    assert sorted(ownership.unit.room for ownership in owner.ownerships) == ["301", "302"]
    assert all(ownership.is_designated_voter for ownership in owner.ownerships)


def test_co_owners_are_one_unit_whose_first_listed_owner_votes(ctx, empty_community):
    import_roster(OPERATOR, empty_community, REAL_ROSTER.name, real_roster())
    flat = unit_at(empty_community, "1栋", "1单元", "601")
    assert owners_of(flat) == [("林强", 0, True), ("钱磊涛", 1, False)]
    assert {ownership.person.phone for ownership in flat.ownerships} == {"13800004947"}


def test_every_imported_unit_knows_its_building_community_and_natural_order(ctx, empty_community):
    import_roster(OPERATOR, empty_community, REAL_ROSTER.name, real_roster())
    units = hall_db.session.scalars(select(Unit).where(Unit.community_id == empty_community)).all()
    assert len(units) == 102
    for unit in units:
        assert unit.building_id == unit.stairwell.building_id
        assert unit.stairwell.building.community_id == empty_community
        assert unit.sort_key == natural_sort_key(unit.room)
    voters = hall_db.session.execute(
        select(Ownership.unit_id, func.count())
        .join(Unit, Unit.id == Ownership.unit_id)
        .where(Unit.community_id == empty_community, Ownership.is_designated_voter)
        .group_by(Ownership.unit_id)
    ).all()
    assert len(voters) == 102 and {count for _, count in voters} == {1}
    assert unit_at(empty_community, "1栋", "1单元", "901").area == Decimal("142.30")


def test_importing_the_same_roster_again_changes_nothing(ctx, empty_community, emitted):
    import_roster(OPERATOR, empty_community, REAL_ROSTER.name, real_roster())
    before = registry_snapshot()
    emitted.clear()
    again = import_roster(OPERATOR, empty_community, REAL_ROSTER.name, real_roster())
    assert again == ImportReport(rows=102, units_unchanged=102)
    assert not again.changed
    hall_db.session.expire_all()
    assert registry_snapshot() == before
    assert emitted == []


def test_a_changed_roster_updates_areas_and_owners_and_leaves_unlisted_units_alone(
    ctx, empty_community
):
    import_roster(OPERATOR, empty_community, REAL_ROSTER.name, real_roster())
    edited = edited_roster(
        replace={
            "1栋,1单元,101": "1栋,1单元,101,1,90.00,杜英,13800000667",  # remeasured
            "1栋,1单元,601": "1栋,1单元,601,6,89.52,钱磊涛、林强,13800004947",  # new voter
            "1栋,1单元,102": "1栋,1单元,102,1,102.36,黄涵、周婷,13800001216",  # sold on
        },
        drop="3栋,2单元,901",
    )
    report = import_roster(OPERATOR, empty_community, "roster.csv", edited)
    assert report == ImportReport(
        rows=101,
        units_updated=1,
        units_unchanged=100,
        people_created=1,
        ownerships_changed=2,
        units_not_in_file=1,
    )
    assert unit_at(empty_community, "1栋", "1单元", "101").area == Decimal("90.00")
    flat = unit_at(empty_community, "1栋", "1单元", "601")
    assert owners_of(flat) == [("钱磊涛", 0, True), ("林强", 1, False)]
    assert unit_at(empty_community, "3栋", "2单元", "901").ownerships


def test_a_roster_with_one_bad_row_imports_nothing(ctx, empty_community, emitted):
    before = row_counts()
    bad = real_roster() + "3栋,2单元,1001,10,0,尹刚,13800099999\n".encode()
    with pytest.raises(RosterInvalid) as raised:
        import_roster(OPERATOR, empty_community, "roster.csv", bad)
    assert [(e.row, e.field) for e in raised.value.row_errors] == [(104, "area")]
    assert raised.value.code == "roster_has_bad_rows"
    assert raised.value.fields["rows"] == [
        {
            "row": 104,
            "field": "area",
            "code": "roster_area_not_positive",
            "message": "The area must be greater than zero, not 0.",
        }
    ]
    hall_db.session.rollback()
    assert row_counts() == before
    assert emitted == []


def test_a_failure_while_writing_leaves_nothing_half_written(ctx, empty_community, monkeypatch):
    before = row_counts()

    def broken_progress(rows_written: int) -> None:
        raise RuntimeError("the disk filled up")

    with pytest.raises(RuntimeError):
        import_roster(
            OPERATOR,
            empty_community,
            "roster.csv",
            generated_roster(600),
            progress=broken_progress,
        )
    assert row_counts() == before


def test_a_registry_changed_underneath_the_import_is_a_conflict_and_nothing_is_written(
    ctx, empty_community, monkeypatch
):
    import_roster(OPERATOR, empty_community, REAL_ROSTER.name, real_roster())
    before = registry_snapshot()
    # As if another import had written the same buildings after this one read the registry.
    monkeypatch.setattr(
        roster_import, "load_registry", lambda community_id: Registry({}, {}, {}, {}, {})
    )
    with pytest.raises(Conflict):
        import_roster(OPERATOR, empty_community, REAL_ROSTER.name, real_roster())
    assert registry_snapshot() == before


def test_a_dry_run_reports_what_would_change_and_writes_nothing(ctx, empty_community, emitted):
    before = registry_snapshot()
    report = import_roster(OPERATOR, empty_community, REAL_ROSTER.name, real_roster(), dry_run=True)
    assert (report.dry_run, report.units_created, report.people_created) == (True, 102, 102)
    assert registry_snapshot() == before
    assert emitted == []


def test_the_import_announces_one_registry_change_after_commit(ctx, empty_community, emitted):
    import_roster(OPERATOR, empty_community, REAL_ROSTER.name, real_roster())
    room = f"community:{empty_community}"
    data = {"community_id": empty_community, "kind": "roster", "id": empty_community}
    envelope = {"room": room, "seq": 1, "event": "registry.changed", "data": data}
    assert emitted == [("registry.changed", envelope, room)]


def test_progress_is_told_the_rows_written_so_far(ctx, empty_community):
    written: list[int] = []
    import_roster(
        OPERATOR, empty_community, "roster.csv", generated_roster(1200), progress=written.append
    )
    assert written == [500, 1000, 1200]


def test_five_thousand_flats_import_in_a_few_seconds_reading_the_registry_once(
    ctx, backend, empty_community
):
    statements: list[str] = []
    engine = hall_db.engine
    listener = lambda *arguments: statements.append(arguments[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        started = time.perf_counter()
        report = import_roster(OPERATOR, empty_community, "roster.csv", generated_roster(5000))
        elapsed = time.perf_counter() - started
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert (report.units_created, report.people_created) == (5000, 5000)
    reads = [statement for statement in statements if statement.lstrip().startswith("SELECT")]
    assert len(reads) <= 6, reads  # the community, then the registry: never a query per row
    if backend == "postgresql":
        # Across a network every statement is a round trip: rows go in many to a statement.
        # (SQLite, in process, is sent one INSERT ... RETURNING a row by SQLAlchemy.)
        assert len(statements) < 100, len(statements)
    assert elapsed < 15, elapsed


def test_a_resident_may_not_import_a_roster(ctx, world):
    with pytest.raises(Forbidden):
        import_roster(actor("resident"), world.home, "roster.csv", real_roster())


def test_another_communitys_resident_does_not_learn_the_community_exists(ctx, world):
    with pytest.raises(NotFound):
        import_roster(actor("neighbour_resident"), world.home, "roster.csv", real_roster())


# Through the REST API -------------------------------------------------------------------------


def upload(
    client, community_id: int, data: bytes, filename: str = "roster.csv", language="en", **form
):
    files = {"file": (io.BytesIO(data), filename), **form}
    return client.post(
        f"/api/communities/{community_id}/roster",
        data=files,
        headers={"Accept-Language": language},
    )


def test_the_property_manager_imports_the_real_roster_over_the_registry_it_had(api, world):
    reply = upload(api.as_user("manager"), world.home, real_roster(), "金世界花园名册.csv")
    assert reply.status == 200, reply.json
    # The world already had 3栋's neighbours 1栋 and 2栋, five of the flats, and three owners.
    assert reply.json == {
        "rows": 102,
        "buildings_created": 1,
        "stairwells_created": 3,
        "units_created": 97,
        "units_updated": 1,  # 2栋 1单元 101 was registered at 120.00 m², the roster says 89.52
        "units_unchanged": 4,
        "people_created": 99,
        "ownerships_changed": 99,  # 97 new flats, and two that had no owner
        "units_not_in_file": 0,
        "dry_run": False,
    }
    counts = api.as_user("manager").get(f"/api/communities/{world.home}").json["counts"]
    # 102 flats, 101 heads: 谭英娟 owns 301 and 302 of 1栋1单元 and counts once
    assert (counts["units"], counts["owners"]) == (102, 101)


def test_an_xlsx_roster_imports_over_the_api(api, world, empty_community):
    reply = upload(api.as_user("admin"), empty_community, xlsx_of(real_roster()), "名册.xlsx")
    assert reply.status == 200, reply.json
    assert (reply.json["units_created"], reply.json["people_created"]) == (102, 102)


def test_a_dry_run_over_the_api_writes_nothing(api, world, empty_community):
    admin = api.as_user("admin")
    reply = upload(admin, empty_community, real_roster(), dry_run="true")
    assert reply.status == 200
    assert (reply.json["dry_run"], reply.json["units_created"]) == (True, 102)
    assert admin.get(f"/api/communities/{empty_community}").json["counts"]["units"] == 0


def test_a_bad_roster_over_the_api_lists_every_bad_row_and_imports_nothing(api, world):
    manager = api.as_user("manager")
    bad = edited_roster(
        replace={
            "1栋,1单元,102": "1栋,1单元,102,1,-5,黄涵,13800001216",
            "1栋,1单元,201": "1栋,1单元,201,二,89.52,马海秀,13800002148",
            "1栋,1单元,202": "1栋,1单元,101,2,102.36,韦娜,13800002237",
        }
    )
    reply = upload(manager, world.home, bad)
    assert reply.status == 422
    assert reply.json["error"] == "roster_has_bad_rows"
    assert reply.json["message"] == "Rows of the roster with mistakes: 3. Nothing was imported."
    assert [(e["row"], e["field"]) for e in reply.json["fields"]["rows"]] == [
        (3, "area"),
        (4, "floor"),
        (5, "room"),
    ]
    assert reply.json["fields"]["rows"][2]["message"] == (
        "Room 101 of 1栋 1单元 is already listed on row 2."
    )
    assert manager.get(f"/api/communities/{world.home}").json["counts"]["units"] == 5


def test_a_bad_roster_is_explained_in_chinese_row_by_row(api, world):
    bad = edited_roster(replace={"1栋,1单元,102": "1栋,1单元,102,1,-5,黄涵,13800001216"})
    reply = upload(api.as_user("manager"), world.home, bad, language="zh-CN")
    assert reply.status == 422
    assert reply.json["message"] == "名册中有 1 行有错误，什么都没有导入。"
    [row] = reply.json["fields"]["rows"]
    assert (row["row"], row["field"], row["code"]) == (3, "area", "roster_area_not_positive")
    assert row["message"] == "面积必须大于零，-5 不符合。"


def test_a_missing_column_is_named_in_the_readers_language(api, world):
    no_phone = "\n".join(
        line.rsplit(",", 1)[0] for line in real_roster().decode("utf-8").splitlines()
    ).encode()
    reply = upload(api.as_user("manager"), world.home, no_phone, language="zh-CN")
    assert reply.json["error"] == "roster_unreadable"
    [message] = reply.json["fields"]["file"]
    assert message.startswith("缺少“联系电话”列")
    assert "phone" not in message.split("：")[0]


def test_a_roster_missing_a_column_is_refused_naming_the_column(api, world):
    no_phone = "\n".join(
        line.rsplit(",", 1)[0] for line in real_roster().decode("utf-8").splitlines()
    ).encode()
    reply = upload(api.as_user("manager"), world.home, no_phone)
    assert reply.status == 422
    [message] = reply.json["fields"]["file"]
    assert "phone" in message and "联系电话" in message


@pytest.mark.parametrize("filename", ["roster.xls", "roster.txt", "roster"])
def test_files_other_than_csv_and_xlsx_are_refused_naming_the_file_field(api, world, filename):
    reply = upload(api.as_user("manager"), world.home, real_roster(), filename)
    assert reply.status == 422
    assert "file" in reply.json["fields"]


def test_an_upload_without_a_file_is_refused_naming_the_file_field(api, world):
    reply = api.as_user("manager").post(
        f"/api/communities/{world.home}/roster", data={"dry_run": "true"}
    )
    assert reply.status == 422
    assert "file" in reply.json["fields"]


@pytest.mark.parametrize(
    ("username", "status"),
    [("resident", 403), ("chair", 403), ("neighbour_resident", 404), ("outsider", 404)],
)
def test_only_property_managers_and_administrators_import_rosters(api, world, username, status):
    reply = upload(api.as_user(username), world.home, real_roster())
    assert reply.status == status, reply.json


def test_another_communitys_property_manager_cannot_see_this_community(app, api, world):
    with app.app_context():
        neighbour = hall_db.session.get(Community, world.neighbour)
        factories.grant(factories.account("neighbour_manager"), Role.PROPERTY_MANAGER, neighbour)
        hall_db.session.commit()
    reply = upload(api.as_user("neighbour_manager"), world.home, real_roster())
    assert reply.status == 404


def test_an_anonymous_upload_is_told_to_log_in(api, world):
    assert upload(api, world.home, real_roster()).status == 401


# Through the command line ---------------------------------------------------------------------


def test_the_operator_imports_a_roster_from_the_command_line(app, world, empty_community):
    runner = app.test_cli_runner()
    arguments = [str(REAL_ROSTER), "--community", str(empty_community)]
    result = runner.invoke(import_roster_command, arguments)
    assert result.exit_code == 0, result.output
    assert "units created: 102" in result.output
    assert "people created: 102" in result.output
    again = runner.invoke(import_roster_command, arguments)
    assert "units unchanged: 102" in again.output
    assert "units created: 0" in again.output


def test_the_command_line_lists_every_bad_row_and_exits_with_failure(
    app, world, empty_community, tmp_path
):
    bad = tmp_path / "roster.csv"
    bad.write_bytes(
        edited_roster(
            replace={
                "1栋,1单元,102": "1栋,1单元,102,1,89.525,黄涵,13800001216",
                "1栋,1单元,201": "1栋,1单元,201,2,89.52,,13800002148",
            }
        )
    )
    result = app.test_cli_runner().invoke(
        import_roster_command, [str(bad), "--community", str(empty_community)]
    )
    assert result.exit_code == 1
    assert "row 3, area: The area has at most two decimal places, not 89.525." in result.stderr
    assert "row 4, owners: At least one owner is needed." in result.stderr
    assert "Nothing was imported." in result.stderr
    with app.app_context():
        assert row_counts()["units"] == 7


def test_a_dry_run_from_the_command_line_writes_nothing(app, world, empty_community):
    result = app.test_cli_runner().invoke(
        import_roster_command,
        [str(REAL_ROSTER), "--community", str(empty_community), "--dry-run"],
    )
    assert result.exit_code == 0, result.output
    assert "units created: 102" in result.output
    assert "Dry run: nothing was written." in result.output
    with app.app_context():
        assert row_counts()["units"] == 7


def test_a_large_roster_from_the_command_line_shows_progress(app, world, empty_community, tmp_path):
    large = tmp_path / "roster.csv"
    large.write_bytes(generated_roster(600))
    result = app.test_cli_runner().invoke(
        import_roster_command, [str(large), "--community", str(empty_community)]
    )
    assert result.exit_code == 0, result.output
    assert "Importing" in result.stderr
    assert "units created: 600" in result.output


def test_the_command_line_names_a_community_that_does_not_exist(app, world):
    result = app.test_cli_runner().invoke(
        import_roster_command, [str(REAL_ROSTER), "--community", "999999"]
    )
    assert result.exit_code == 1
    assert "No such community." in result.output


def test_a_file_field_sent_as_text_is_refused_naming_the_file_field(api, world):
    reply = api.as_user("manager").post(
        f"/api/communities/{world.home}/roster",
        data={"file": "楼栋,单元"},
        headers={"Accept-Language": "en"},
    )
    assert reply.status == 422
    assert reply.json["fields"] == {"file": ["Upload a file."]}


def test_the_published_api_describes_the_upload_as_one_multipart_body(api, world):
    spec = api.get("/api/openapi.json").json
    operation = spec["paths"]["/api/communities/{community_id}/roster"]["post"]
    assert "parameters" not in operation  # no OpenAPI 2 formData left over
    body = operation["requestBody"]["content"]["multipart/form-data"]["schema"]
    upload = spec["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]
    assert upload["properties"]["file"] == {
        "type": "string",
        "format": "binary",
        "description": upload["properties"]["file"]["description"],
    }
    assert upload["properties"]["dry_run"]["type"] == "boolean"
    assert upload["required"] == ["file"]
