"""talk search: one search document per talk, for the schedule's q

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 05:30:00.000000

SQLite gets an FTS5 virtual table, PostgreSQL a table with a generated tsvector under a GIN index
(config ``simple``, no extension). Both are filled here for the talks that exist, by the same code
that keeps them current afterwards (``service.schedule.search``), so the words indexed now are the
words the service will look for. Should that code outgrow this schema, freeze a copy of it here.
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from service.schedule import search

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(search.FTS5_TABLE_SQL)
    else:
        op.create_table(
            "talk_search",
            sa.Column("talk_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
            sa.Column("event_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
            sa.Column("title", sa.Text(), nullable=False),
            sa.Column("body", sa.Text(), nullable=False),
            sa.Column(
                "document",
                postgresql.TSVECTOR(),
                sa.Computed(
                    "setweight(to_tsvector('simple', title), 'A') || setweight(to_tsvector('simple', body), 'B')",
                    persisted=True,
                ),
                nullable=True,
            ),
            sa.ForeignKeyConstraint(
                ["event_id"], ["event.id"], name=op.f("fk_talk_search_event_id_event"), ondelete="CASCADE"
            ),
            sa.ForeignKeyConstraint(
                ["talk_id"], ["talk.id"], name=op.f("fk_talk_search_talk_id_talk"), ondelete="CASCADE"
            ),
            sa.PrimaryKeyConstraint("talk_id", name=op.f("pk_talk_search")),
        )
        op.create_index(op.f("ix_talk_search_event_id"), "talk_search", ["event_id"], unique=False)
        op.create_index("ix_talk_search_document", "talk_search", ["document"], postgresql_using="gin")
    search.rebuild_events(op.get_bind())


def downgrade() -> None:
    op.drop_table("talk_search")
