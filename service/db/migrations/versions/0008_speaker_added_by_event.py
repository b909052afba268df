"""speaker added by event: the event whose organisers created a speaker may edit and remove them

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 07:00:00.000000

Speakers created through ``POST /events/{slug}/speakers`` had no talk yet, so no event could
reach them afterwards (201, then 404 to the same organiser). Existing speakers keep an empty
value: they are reached through the events whose talks they appear in, as before.
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("speaker", schema=None) as batch_op:
        batch_op.add_column(sa.Column("added_by_event_id", advanced_alchemy.types.guid.GUID(length=16), nullable=True))
        batch_op.create_index(batch_op.f("ix_speaker_added_by_event_id"), ["added_by_event_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_speaker_added_by_event_id_event"),
            "event",
            ["added_by_event_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("speaker", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_speaker_added_by_event_id_event"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_speaker_added_by_event_id"))
        batch_op.drop_column("added_by_event_id")
