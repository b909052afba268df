"""Search by words: the ``q`` of the schedule and of the calendar feeds.

Every talk has one search document in ``talk_search``: its title, and a body made of its subtitle,
abstract, speaker names, track name and the names of the rooms its slots are in. Both are folded
here, in Python, before either database sees them (case, accents, and the few letters Unicode does
not decompose, such as ø and ł) and split into words, so SQLite and PostgreSQL index the same words
and give the same answers:

- SQLite: an FTS5 virtual table (tokenizer ``unicode61 remove_diacritics 2``), asked with
  ``MATCH '"word"* AND "other"*'``;
- PostgreSQL: a plain table with a generated ``tsvector`` (config ``simple``: no stemming, no stop
  words; the title weighs more) under a GIN index, asked with ``to_tsquery('simple', ...)``.
  No extension is needed: accents are folded here, not by ``unaccent``.

Each word of ``q`` must match, in any order, the start of a word of the document, so a search box
can search as the user types. A user's words are reduced to letters and digits and then quoted,
so ``NEAR(``, ``"``, ``*`` or ``-`` are never query syntax to either engine.

The documents follow the talks within the same transaction: a session given to
:func:`keep_current` (the schedule editor's, hence the importer's, and the demo loader's) rewrites,
after each flush, the documents of the talks that flush touched, including talks changed through a
renamed room, track or speaker. A flush hook rather than a call in each verb, because renames are
applied by a synchronous ``update`` and track deletions reach talks through ``ON DELETE SET NULL``,
where no verb could refresh them. Rows written with plain SQL need :func:`rebuild_event`.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Computed,
    Float,
    ForeignKey,
    Index,
    Select,
    Table,
    Text,
    delete,
    event,
    func,
    insert,
    literal_column,
    select,
)
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, UOWTransaction
from sqlalchemy.orm.attributes import get_history

from service.core.errors import InvalidParameterError
from service.db.base import GUID, metadata
from service.events.models import Event
from service.schedule.models import Room, Slot, Talk, TalkSpeaker, Track
from service.speakers.models import Speaker

MAX_QUERY_WORDS = 16
MAX_WORD_LENGTH = 64
"""Longer words are cut, in documents and queries alike (PostgreSQL skips lexemes over 2 kB)."""
TITLE_WEIGHT = 10.0
"""SQLite's bm25 weight of the title against the body; PostgreSQL's is weight A against B."""
_CHUNK = 500

talk_search = Table(
    "talk_search",
    metadata,
    Column("talk_id", GUID, ForeignKey("talk.id", ondelete="CASCADE"), primary_key=True),
    Column("event_id", GUID, ForeignKey("event.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("title", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column(
        "document",
        TSVECTOR,
        Computed(
            "setweight(to_tsvector('simple', title), 'A') || setweight(to_tsvector('simple', body), 'B')",
            persisted=True,
        ),
    ),
    Index("ix_talk_search_document", "document", postgresql_using="gin"),
)
"""The search documents, as PostgreSQL holds them. On SQLite the table of the same name is an FTS5
virtual table with the same four columns (see migration 0006); the models describe the
PostgreSQL one, and Alembic is told to leave SQLite's alone (:func:`is_sqlite_fts_table`)."""

FTS5_TABLE_SQL = (
    "CREATE VIRTUAL TABLE talk_search USING fts5("
    "talk_id UNINDEXED, event_id UNINDEXED, title, body, tokenize = 'unicode61 remove_diacritics 2')"
)


def is_sqlite_fts_table(name: str | None) -> bool:
    """``talk_search`` and the shadow tables FTS5 keeps beside it (``talk_search_data``, ...)."""
    return name is not None and (name == talk_search.name or name.startswith(f"{talk_search.name}_"))


def autogenerate_filter(dialect: str) -> Callable[[object, str | None, str, bool, object], bool]:
    """Alembic's ``include_object``: on SQLite, leave the FTS5 tables out of model comparisons
    (the models describe PostgreSQL's ``talk_search``). Used by env.py and the migration test."""

    def include(_object: object, name: str | None, type_: str, _reflected: bool, _compare_to: object) -> bool:
        return not (dialect == "sqlite" and type_ == "table" and is_sqlite_fts_table(name))

    return include


# -- words -----------------------------------------------------------------------------------------

_WORD = re.compile(r"[^\W_]+")
"""Letters and digits: what FTS5's unicode61 tokenizer keeps (``L*``, ``N*``), so it splits our
documents exactly where we did."""
_UNDECOMPOSED = str.maketrans({"æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "ħ": "h", "ŧ": "t"})
"""Letters with a stroke or ligatures, which NFKD leaves whole: ``bjorn`` should find Bjørn."""


def fold(text: str) -> str:
    """Lower case without accents: ``Café Ærø`` becomes ``cafe aero``."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold()).translate(_UNDECOMPOSED)
    return "".join(char for char in decomposed if unicodedata.category(char) != "Mn")


def words(text: str) -> list[str]:
    """The words of a text, folded, as both the index and the queries see them."""
    return [word[:MAX_WORD_LENGTH] for word in _WORD.findall(fold(text))]


def query_words(q: str) -> list[str]:
    """The distinct words of ``q``; a 400 naming ``q`` when there are none or too many."""
    found = list(dict.fromkeys(words(q)))
    if not found:
        raise InvalidParameterError("q has no words to search for: it needs letters or digits.", field="q")
    if len(found) > MAX_QUERY_WORDS:
        raise InvalidParameterError(f"q has more than {MAX_QUERY_WORDS} different words.", field="q")
    return found


def matches_text(q: str, text: str) -> bool:
    """Whether ``text`` answers ``q`` as the index would: every word starts a word of the text.

    For what is no longer indexed, such as a deleted talk a filtered feed still cancels."""
    found = words(text)
    return all(any(word.startswith(wanted) for word in found) for wanted in query_words(q))


def _fts5_query(found: Sequence[str]) -> str:
    return " AND ".join('"' + word.replace('"', '""') + '"*' for word in found)


def _tsquery(found: Sequence[str]) -> str:
    return " & ".join("'" + word.replace("\\", "\\\\").replace("'", "''") + "':*" for word in found)


# -- asking ----------------------------------------------------------------------------------------


def dialect_of(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


def _match(dialect: str, found: Sequence[str]) -> tuple[ColumnElement[bool], ColumnElement[float]]:
    """The condition for documents holding every word, and a score (lower is better)."""
    if dialect == "postgresql":
        query = func.to_tsquery(literal_column("'simple'"), _tsquery(found))
        return talk_search.c.document.op("@@")(query), -func.ts_rank(talk_search.c.document, query, type_=Float)
    fts: ColumnElement[Any] = literal_column(talk_search.name)
    condition = fts.op("MATCH")(_fts5_query(found))
    return condition, func.bm25(fts, 0.0, 0.0, TITLE_WEIGHT, 1.0, type_=Float)


def matching_talks(dialect: str, event_id: uuid.UUID, q: str) -> Select[tuple[uuid.UUID]]:
    """The ids of the event's talks whose document holds every word of ``q`` (for ``IN``)."""
    condition, _ = _match(dialect, query_words(q))
    return select(talk_search.c.talk_id).where(talk_search.c.event_id == event_id, condition)


async def ranked_talk_ids(session: AsyncSession, event_id: uuid.UUID, q: str) -> list[uuid.UUID]:
    """The matching talks, best first: most words found in the title, then the engine's score.

    For a flat list of results (a search box). The schedule does not use the order: it stays
    grouped by day, in time order.
    """
    found = query_words(q)
    condition, score = _match(dialect_of(session), found)
    rows = (
        await session.execute(
            select(talk_search.c.talk_id, talk_search.c.title, score.label("score")).where(
                talk_search.c.event_id == event_id, condition
            )
        )
    ).all()

    def rank(row: Any) -> tuple[int, float, str]:
        title = row.title.split()
        in_title = sum(any(word.startswith(wanted) for word in title) for wanted in found)
        return -in_title, row.score, row.title

    return [row.talk_id for row in sorted(rows, key=rank)]


# -- writing ---------------------------------------------------------------------------------------


def _documents(connection: Connection, which: ColumnElement[bool]) -> list[dict[str, Any]]:
    talks = connection.execute(
        select(Talk.id, Talk.event_id, Talk.title, Talk.subtitle, Talk.abstract, Track.name)
        .outerjoin(Track, Track.id == Talk.track_id)
        .where(which)
    ).all()
    names: dict[uuid.UUID, list[str]] = defaultdict(list)
    speakers = (
        select(TalkSpeaker.talk_id, Speaker.name)
        .join(Speaker, Speaker.id == TalkSpeaker.speaker_id)
        .join(Talk, Talk.id == TalkSpeaker.talk_id)
        .where(which)
        .order_by(TalkSpeaker.talk_id, TalkSpeaker.position)
    )
    rooms = (
        select(Slot.talk_id, Room.name)
        .join(Room, Room.id == Slot.room_id)
        .join(Talk, Talk.id == Slot.talk_id)
        .where(which)
        .distinct()
    )
    for talk_id, name in [*connection.execute(speakers), *connection.execute(rooms)]:
        names[talk_id].append(name)
    return [
        {
            "talk_id": talk_id,
            "event_id": event_id,
            "title": " ".join(words(title)),
            "body": " ".join(words("\n".join([subtitle, abstract, track or "", *names[talk_id]]))),
        }
        for talk_id, event_id, title, subtitle, abstract, track in talks
    ]


def _write(connection: Connection, which: ColumnElement[bool], old: ColumnElement[bool]) -> None:
    connection.execute(delete(talk_search).where(old))
    documents = _documents(connection, which)
    if not documents:
        return
    if connection.dialect.name == "postgresql":
        # Two transactions rewriting one talk's document at once (an edit of the talk while its
        # speaker is renamed) would both insert it; the second, once the first commits, updates.
        upsert = pg_insert(talk_search)
        columns = {name: upsert.excluded[name] for name in ("event_id", "title", "body")}
        connection.execute(
            upsert.on_conflict_do_update(index_elements=[talk_search.c.talk_id], set_=columns), documents
        )
    else:
        connection.execute(insert(talk_search), documents)


def rebuild(connection: Connection, talk_ids: Collection[uuid.UUID]) -> None:
    """Rewrite the documents of these talks; talks that no longer exist lose theirs."""
    ids = sorted(talk_ids)  # one order for every transaction's row locks
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        _write(connection, Talk.id.in_(chunk), talk_search.c.talk_id.in_(chunk))


def rebuild_events(connection: Connection, event_ids: Iterable[uuid.UUID] | None = None) -> None:
    """Rewrite every document of these events (of every event when None): migrations, bulk loads."""
    for event_id in connection.scalars(select(Event.id)).all() if event_ids is None else event_ids:
        _write(connection, Talk.event_id == event_id, talk_search.c.event_id == event_id)


async def rebuild_event(session: AsyncSession, event_id: uuid.UUID) -> None:
    """:func:`rebuild_events` for one event, in the session's transaction (after flushing it)."""
    await session.flush()
    await session.run_sync(lambda sync: rebuild_events(sync.connection(), [event_id]))


# -- keeping documents current ---------------------------------------------------------------------

_ENLISTED = "plenary.search.enlisted"
_PENDING = "plenary.search.pending"


@dataclass
class _Pending:
    """What one flush touches: objects whose talk id is known only after it, ids known before."""

    objects: list[Talk | Slot | TalkSpeaker] = field(default_factory=list)
    talk_ids: set[uuid.UUID] = field(default_factory=set)
    event_ids: set[uuid.UUID] = field(default_factory=set)


def keep_current(session: AsyncSession | Session) -> None:
    """From now on, every flush of ``session`` rewrites the documents of the talks it changed."""
    sync = session.sync_session if isinstance(session, AsyncSession) else session
    if sync.info.get(_ENLISTED):
        return
    sync.info[_ENLISTED] = True
    event.listen(sync, "before_flush", _note_changes)
    event.listen(sync, "after_flush", _rewrite_documents)


def _changed(obj: object, *names: str) -> bool:
    return any(get_history(obj, name).has_changes() for name in names)


def _talks_of(session: Session, obj: Room | Track | Speaker) -> set[uuid.UUID]:
    """Talks whose document names ``obj``; asked before the flush, while the links still exist."""
    query: Select[tuple[uuid.UUID]]
    if isinstance(obj, Room):
        query = select(Slot.talk_id).where(Slot.room_id == obj.id)
    elif isinstance(obj, Track):
        query = select(Talk.id).where(Talk.track_id == obj.id)
    else:
        query = select(TalkSpeaker.talk_id).where(TalkSpeaker.speaker_id == obj.id)
    return set(session.scalars(query))


def _note_changes(session: Session, _context: UOWTransaction, _instances: object) -> None:
    pending = _Pending()
    for obj in session.new:
        if isinstance(obj, Talk | Slot | TalkSpeaker):
            pending.objects.append(obj)
    for obj in session.dirty:
        if isinstance(obj, Talk) and session.is_modified(obj, include_collections=False):
            pending.objects.append(obj)
        elif isinstance(obj, Slot) and _changed(obj, "room_id", "room", "talk_id"):
            pending.objects.append(obj)
            pending.talk_ids.update(i for i in get_history(obj, "talk_id").deleted if i)
        elif isinstance(obj, Room | Track | Speaker) and _changed(obj, "name"):
            pending.talk_ids |= _talks_of(session, obj)
    for obj in session.deleted:
        if isinstance(obj, Talk):
            pending.talk_ids.add(obj.id)
        elif isinstance(obj, Slot | TalkSpeaker):
            pending.talk_ids.add(obj.talk_id)
        elif isinstance(obj, Room | Track | Speaker):
            pending.talk_ids |= _talks_of(session, obj)
        elif isinstance(obj, Event):
            pending.event_ids.add(obj.id)
    session.info[_PENDING] = pending


def _rewrite_documents(session: Session, _context: UOWTransaction) -> None:
    pending: _Pending | None = session.info.pop(_PENDING, None)
    if pending is None:
        return
    talk_ids = pending.talk_ids | {obj.id if isinstance(obj, Talk) else obj.talk_id for obj in pending.objects}
    connection = session.connection()
    for event_id in pending.event_ids:
        connection.execute(delete(talk_search).where(talk_search.c.event_id == event_id))
    rebuild(connection, talk_ids)
