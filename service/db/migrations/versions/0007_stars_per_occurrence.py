"""stars per occurrence: a star names a slot, so one session of a repeated workshop can be starred

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 06:00:00.000000

Each existing star of a talk becomes a star of every occurrence of that talk (what it meant
before); stars of talks that no longer have a slot carry nothing to show and are dropped.
"""

import uuid
from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GUID = advanced_alchemy.types.guid.GUID(length=16)
star = sa.table(
    "star",
    sa.column("id", GUID),
    sa.column("attendee_id", GUID),
    sa.column("talk_id", GUID),
    sa.column("slot_id", GUID),
    sa.column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True)),
    sa.column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True)),
)
slot = sa.table("slot", sa.column("id", GUID), sa.column("talk_id", GUID), sa.column("start_at"))


def upgrade() -> None:
    with op.batch_alter_table("star", schema=None) as batch_op:
        batch_op.add_column(sa.Column("slot_id", GUID, nullable=True))
        batch_op.drop_constraint("uq_star_attendee_talk", type_="unique")

    connection = op.get_bind()
    stars = connection.execute(
        sa.select(star.c.id, star.c.attendee_id, star.c.talk_id, star.c.created_at, star.c.updated_at)
    ).all()
    for row in stars:
        slot_ids = connection.execute(
            sa.select(slot.c.id).where(slot.c.talk_id == row.talk_id).order_by(slot.c.start_at, slot.c.id)
        ).scalars()
        first, *others = list(slot_ids) or [None]
        if first is None:
            connection.execute(sa.delete(star).where(star.c.id == row.id))
            continue
        connection.execute(sa.update(star).where(star.c.id == row.id).values(slot_id=first))
        for other in others:
            connection.execute(
                sa.insert(star).values(
                    id=uuid.uuid4(),
                    attendee_id=row.attendee_id,
                    talk_id=row.talk_id,
                    slot_id=other,
                    created_at=row.created_at,
                    updated_at=row.updated_at,
                )
            )

    with op.batch_alter_table("star", schema=None) as batch_op:
        batch_op.alter_column("slot_id", existing_type=GUID, nullable=False)
        batch_op.create_unique_constraint("uq_star_attendee_slot", ["attendee_id", "slot_id"])
        batch_op.create_index(batch_op.f("ix_star_slot_id"), ["slot_id"], unique=False)


def downgrade() -> None:
    connection = op.get_bind()
    # One star per talk again: keep the first of each attendee's stars on a talk.
    earlier = sa.alias(star)
    connection.execute(
        sa.delete(star).where(
            sa.exists().where(
                earlier.c.attendee_id == star.c.attendee_id,
                earlier.c.talk_id == star.c.talk_id,
                earlier.c.id < star.c.id,
            )
        )
    )
    with op.batch_alter_table("star", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_star_slot_id"))
        batch_op.drop_constraint("uq_star_attendee_slot", type_="unique")
        batch_op.drop_column("slot_id")
        batch_op.create_unique_constraint("uq_star_attendee_talk", ["attendee_id", "talk_id"])
