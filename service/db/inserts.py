"""INSERT ... ON CONFLICT DO NOTHING on both backends: races settled by a unique constraint."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession


async def insert_unless_present(
    session: AsyncSession, model: type[Any], rows: Sequence[dict[str, Any]], unique: Sequence[str]
) -> int:
    """Insert the rows whose ``unique`` columns are not taken yet; how many were inserted.

    Concurrent requests doing the same (two taps on a star, a retried note) race here: the unique
    constraint lets exactly one insert land and the others do nothing, instead of failing with an
    integrity error that would roll the whole request back.
    """
    if not rows:
        return 0
    insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
    result = await session.execute(insert(model).values(list(rows)).on_conflict_do_nothing(index_elements=unique))
    return int(result.rowcount)  # type: ignore[attr-defined]
