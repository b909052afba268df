"""attendee devices: each device of an attendee holds its own token; one-time pairing codes

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 08:36:30.612301

Every attendee's one token becomes their first device, whose id is the attendee's own, so a
token issued before (``<attendee id>.<secret>``) reads as ``<device id>.<secret>`` and keeps
working unchanged. Downgrading keeps only those first devices' tokens: a device paired later has
an id of its own, which the older code would not find.
"""

import secrets
from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GUID = advanced_alchemy.types.guid.GUID(length=16)
DateTimeUTC = advanced_alchemy.types.datetime.DateTimeUTC(timezone=True)

attendee = sa.table(
    "attendee",
    sa.column("id", GUID),
    sa.column("token_hash", sa.String(64)),
    sa.column("created_at", DateTimeUTC),
)
attendee_device = sa.table(
    "attendee_device",
    sa.column("id", GUID),
    sa.column("attendee_id", GUID),
    sa.column("name", sa.String(80)),
    sa.column("token_hash", sa.String(64)),
    sa.column("created_at", DateTimeUTC),
)


def upgrade() -> None:
    op.create_table(
        "attendee_device",
        sa.Column("id", GUID, nullable=False),
        sa.Column("attendee_id", GUID, nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("sealed_feed_secret", sa.String(length=64), nullable=True),
        sa.Column("created_at", DateTimeUTC, nullable=False),
        sa.Column("last_used_at", DateTimeUTC, nullable=True),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["attendee_id"], ["attendee.id"], name=op.f("fk_attendee_device_attendee_id_attendee"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendee_device")),
    )
    with op.batch_alter_table("attendee_device", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attendee_device_attendee_id"), ["attendee_id"], unique=False)

    op.create_table(
        "pairing_code",
        sa.Column("id", GUID, nullable=False),
        sa.Column("attendee_id", GUID, nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("sealed_feed_secret", sa.String(length=64), nullable=True),
        sa.Column("expires_at", DateTimeUTC, nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["attendee_id"], ["attendee.id"], name=op.f("fk_pairing_code_attendee_id_attendee"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pairing_code")),
    )
    with op.batch_alter_table("pairing_code", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pairing_code_attendee_id"), ["attendee_id"], unique=True)
        batch_op.create_index(batch_op.f("ix_pairing_code_code_hash"), ["code_hash"], unique=True)

    # Each attendee's token moves to a first device with the attendee's id (see the docstring).
    op.execute(
        attendee_device.insert().from_select(
            ["id", "attendee_id", "name", "token_hash", "created_at"],
            sa.select(attendee.c.id, attendee.c.id, sa.literal(""), attendee.c.token_hash, attendee.c.created_at),
        )
    )
    with op.batch_alter_table("attendee", schema=None) as batch_op:
        batch_op.drop_column("token_hash")


def downgrade() -> None:
    with op.batch_alter_table("attendee", schema=None) as batch_op:
        batch_op.add_column(sa.Column("token_hash", sa.String(length=64), nullable=True))
    first_device = (
        sa.select(attendee_device.c.token_hash).where(attendee_device.c.id == attendee.c.id).scalar_subquery()
    )
    op.execute(attendee.update().values(token_hash=first_device))
    # An attendee whose first device was revoked gets a hash of nothing anyone holds: signed out.
    connection = op.get_bind()
    orphans = connection.execute(sa.select(attendee.c.id).where(attendee.c.token_hash.is_(None))).scalars().all()
    for attendee_id in orphans:
        connection.execute(
            attendee.update().where(attendee.c.id == attendee_id).values(token_hash=secrets.token_hex(32))
        )
    with op.batch_alter_table("attendee", schema=None) as batch_op:
        batch_op.alter_column("token_hash", existing_type=sa.String(length=64), nullable=False)

    with op.batch_alter_table("pairing_code", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pairing_code_code_hash"))
        batch_op.drop_index(batch_op.f("ix_pairing_code_attendee_id"))
    op.drop_table("pairing_code")
    with op.batch_alter_table("attendee_device", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attendee_device_attendee_id"))
    op.drop_table("attendee_device")
