"""The voting unit is named as in the domain: electorate_members becomes households, and
every member_id that points at it becomes household_id, with its constraints and indexes.

Rows are kept as they are: a rename, no copy by hand. Batch operations, so that SQLite
(which rebuilds a table to change its constraints) and PostgreSQL (which alters in place)
run the same steps.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 15:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# The tables that point at a household, and whether their pointer is indexed by itself.
POINTING = (
    ("electorate_units", True),
    ("electorate_voters", True),
    ("proxies", False),
    ("ballots", False),
)


def upgrade():
    _rename_household_table("electorate_members", "households")
    for table, indexed in POINTING:
        _repoint(table, indexed, "member_id", "household_id", "electorate_members", "households")
    with op.batch_alter_table("ballots") as batch:
        batch.drop_constraint("uq_ballots_vote_id_member_id", type_="unique")
        batch.create_unique_constraint(
            "uq_ballots_vote_id_household_id", ["vote_id", "household_id"]
        )
    with op.batch_alter_table("proxies") as batch:
        batch.drop_index("uq_proxies_one_active_per_member")
        batch.create_index(
            "uq_proxies_one_active_per_household",
            ["vote_id", "household_id"],
            unique=True,
            sqlite_where=sa.text("revoked_at IS NULL"),
            postgresql_where=sa.text("revoked_at IS NULL"),
        )


def downgrade():
    with op.batch_alter_table("proxies") as batch:
        batch.drop_index("uq_proxies_one_active_per_household")
        batch.create_index(
            "uq_proxies_one_active_per_member",
            ["vote_id", "household_id"],
            unique=True,
            sqlite_where=sa.text("revoked_at IS NULL"),
            postgresql_where=sa.text("revoked_at IS NULL"),
        )
    with op.batch_alter_table("ballots") as batch:
        batch.drop_constraint("uq_ballots_vote_id_household_id", type_="unique")
        batch.create_unique_constraint("uq_ballots_vote_id_member_id", ["vote_id", "household_id"])
    _rename_household_table("households", "electorate_members")
    for table, indexed in POINTING:
        _repoint(table, indexed, "household_id", "member_id", "households", "electorate_members")


def _rename_household_table(old: str, new: str) -> None:
    """The table, its primary key, its id sequence (PostgreSQL), its index, unique and
    foreign-key constraint, all under the new name. SQLite rewrites the references of the
    other tables' foreign keys to the new name itself."""
    op.rename_table(old, new)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE {new} RENAME CONSTRAINT pk_{old} TO pk_{new}")
        op.execute(f"ALTER SEQUENCE {old}_id_seq RENAME TO {new}_id_seq")
    with op.batch_alter_table(new) as batch:
        batch.drop_index(f"ix_{old}_vote_id")
        batch.drop_constraint(f"uq_{old}_vote_id_number", type_="unique")
        batch.drop_constraint(f"fk_{old}_vote_id_votes", type_="foreignkey")
        if op.get_bind().dialect.name == "sqlite":  # rebuilt anyway: its key takes the name
            batch.create_primary_key(f"pk_{new}", ["id"])
        batch.create_index(f"ix_{new}_vote_id", ["vote_id"], unique=False)
        batch.create_unique_constraint(f"uq_{new}_vote_id_number", ["vote_id", "number"])
        batch.create_foreign_key(f"fk_{new}_vote_id_votes", "votes", ["vote_id"], ["id"])


def _repoint(table: str, indexed: bool, old: str, new: str, old_target: str, target: str):
    """One table's pointer at a household renamed, with its foreign key (and index): the
    rename first, then what is built on the new name."""
    with op.batch_alter_table(table) as batch:
        if indexed:
            batch.drop_index(f"ix_{table}_{old}")
        batch.drop_constraint(f"fk_{table}_{old}_{old_target}", type_="foreignkey")
        batch.alter_column(old, new_column_name=new, existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table(table) as batch:
        batch.create_foreign_key(f"fk_{table}_{new}_{target}", target, [new], ["id"])
        if indexed:
            batch.create_index(f"ix_{table}_{new}", [new], unique=False)
