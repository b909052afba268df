"""Build a synthetic event of N talks in a database, for the benchmark.

The event has about N/25 rooms, 1.2*N speakers, three days in Europe/Berlin, slots of 30 to 60
minutes laid out back to back (with short breaks) per room, 1 to 3 speakers per talk and a few
tracks. Everything, ids included, comes from one seeded random generator, so the same N and seed
always give the same schedule. The schema is migrated first; all rows go in with one commit.

    python bench/generate.py --database-url sqlite+aiosqlite:////tmp/bench.db --talks 1000
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import random
import sys
import time
import uuid
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from service.core.time import as_instant, utcnow, zone
from service.db.config import attach_sqlite_pragmas
from service.db.migrate import upgrade
from service.events.models import Event
from service.schedule.models import Room, Slot, SpeakerRole, Talk, TalkKind, TalkSpeaker, Track
from service.speakers.models import Speaker

TIMEZONE = "Europe/Berlin"
FIRST_DAY = datetime.date(2026, 9, 15)
DAY_STARTS_AT = datetime.time(9, 0)
TALKS_PER_ROOM = 25
SPEAKERS_PER_TALK = 1.2
DURATIONS = (30, 30, 45, 45, 45, 60)
"""Minutes; picked uniformly, so most talks are 45 minutes long."""
BREAKS = (0, 5, 10, 15)
"""Minutes between two talks in one room."""

TRACKS = (
    ("nlp", "Natural Language Processing", "#1f77b4"),
    ("vision", "Computer Vision", "#ff7f0e"),
    ("systems", "Systems and Infrastructure", "#2ca02c"),
    ("theory", "Theory", "#d62728"),
    ("society", "AI and Society", "#9467bd"),
    ("industry", "Industry", "#8c564b"),
)
KINDS = (
    (TalkKind.TALK, 80),
    (TalkKind.LIGHTNING, 6),
    (TalkKind.WORKSHOP, 5),
    (TalkKind.PANEL, 4),
    (TalkKind.KEYNOTE, 3),
    (TalkKind.CONVERSATION, 2),
)
ROOM_NAMES = ("Hall", "Auditorium", "Salon", "Studio", "Lab", "Forum")
FIRST_NAMES = (
    "Ada", "Ben", "Chiara", "Dmitri", "Elif", "Farah", "Gustav", "Hana", "Ivo", "Jun", "Kasia", "Lars",
    "Maren", "Nikhil", "Olga", "Pablo", "Quynh", "Rosa", "Sami", "Tove", "Ugo", "Vera", "Wen", "Yara",
)  # fmt: skip
LAST_NAMES = (
    "Andersen", "Bauer", "Costa", "Dubois", "Eriksen", "Fischer", "García", "Hansen", "Ito", "Jensen",
    "Kowalski", "Lindqvist", "Moreau", "Nakamura", "Okafor", "Petrov", "Rossi", "Schmidt", "Tanaka",
    "Virtanen", "Weber", "Yilmaz", "Zhang",
)  # fmt: skip
AFFILIATIONS = (
    "University of Copenhagen", "TU Berlin", "ETH Zürich", "Inria", "University of Helsinki",
    "KTH Stockholm", "Charles University", "Independent", "Open Source Collective", "City Lab",
)  # fmt: skip
WORDS = (
    "language", "model", "evaluation", "retrieval", "attention", "graph", "sparse", "dense", "scaling",
    "robust", "multilingual", "benchmark", "dataset", "annotation", "bias", "fairness", "privacy",
    "federated", "inference", "latency", "memory", "compiler", "schedule", "optimisation", "reasoning",
    "alignment", "embedding", "segmentation", "tracking", "calibration", "uncertainty", "causal",
    "temporal", "streaming", "distributed", "hardware", "energy", "efficient", "interpretable", "transfer",
    "adaptation",
)  # fmt: skip


@dataclass
class Generated:
    """The rows of one synthetic event, ready to add to a session."""

    event: Event
    rows: list[object] = field(default_factory=list)
    talks: int = 0
    slots: int = 0
    speakers: int = 0
    speaker_links: int = 0
    rooms: int = 0
    days: int = 0


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _sentence(rng: random.Random, low: int, high: int) -> str:
    words = rng.choices(WORDS, k=rng.randint(low, high))
    return " ".join(words).capitalize()


def _abstract(rng: random.Random) -> str:
    return " ".join(_sentence(rng, 8, 18) + "." for _ in range(rng.randint(2, 5)))


def build_event(talks: int, seed: int = 1, days: int = 3) -> Generated:
    """All rows of the event ``bench-<talks>``, with ids drawn from ``random.Random(seed)``."""
    if talks < 1:
        raise ValueError("an event needs at least one talk")
    if not 1 <= days <= 7:
        raise ValueError("days must be between 1 and 7")
    rng = random.Random(f"plenary-bench/{seed}/{talks}")
    tz = zone(TIMEZONE)
    now = utcnow()
    event = Event(
        id=_uuid(rng),
        slug=f"bench-{talks}",
        title=f"Benchmark Symposium ({talks} talks)",
        description="A synthetic event generated for load tests.",
        timezone=TIMEZONE,
        start_date=FIRST_DAY,
        end_date=FIRST_DAY + datetime.timedelta(days=days - 1),
        day_change=datetime.time(4, 0),
        venue="Synthetic Congress Centre",
        city="Berlin",
        website="https://example.org/bench",
        schedule_version=1,
        schedule_modified_at=now,
    )
    out = Generated(event=event, days=days)
    out.rows.append(event)

    room_count = max(1, round(talks / TALKS_PER_ROOM))
    rooms = []
    for position in range(room_count):
        name = f"{ROOM_NAMES[position % len(ROOM_NAMES)]} {position + 1}"
        rooms.append(Room(id=_uuid(rng), event_id=event.id, slug=f"room-{position + 1}", name=name, position=position))
    tracks = [Track(id=_uuid(rng), event_id=event.id, slug=s, name=n, color=c) for s, n, c in TRACKS]

    speaker_count = max(1, round(talks * SPEAKERS_PER_TALK))
    speakers = [
        Speaker(
            id=_uuid(rng),
            name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            affiliation=rng.choice(AFFILIATIONS),
            bio=_sentence(rng, 10, 25) + ".",
            links=[],
        )
        for _ in range(speaker_count)
    ]
    out.rows.extend(rooms)
    out.rows.extend(tracks)
    out.rows.extend(speakers)
    out.rooms, out.speakers = len(rooms), len(speakers)

    kinds = [kind for kind, _ in KINDS]
    weights = [weight for _, weight in KINDS]
    roles = (SpeakerRole.SPEAKER, SpeakerRole.SPEAKER, SpeakerRole.HOST, SpeakerRole.GUEST)
    # Deal the talks to rooms round-robin, then to days evenly within each room.
    per_room = [talks // room_count + (1 if i < talks % room_count else 0) for i in range(room_count)]
    for room, count in zip(rooms, per_room, strict=True):
        per_day = [count // days + (1 if d < count % days else 0) for d in range(days)]
        for day_index, on_day in enumerate(per_day):
            day = FIRST_DAY + datetime.timedelta(days=day_index)
            clock = as_instant(datetime.datetime.combine(day, DAY_STARTS_AT), tz)
            for _ in range(on_day):
                talk = Talk(
                    id=_uuid(rng),
                    event_id=event.id,
                    title=_sentence(rng, 3, 9),
                    subtitle="",
                    abstract=_abstract(rng),
                    kind=rng.choices(kinds, weights)[0],
                    language="en" if rng.random() < 0.9 else "de",
                    track_id=rng.choice(tracks).id if rng.random() < 0.95 else None,
                    url="",
                    recording_url="",
                    slides_url="",
                )
                minutes = rng.choice(DURATIONS)
                slot = Slot(
                    id=_uuid(rng),
                    event_id=event.id,
                    talk_id=talk.id,
                    room_id=room.id,
                    start_at=clock,
                    end_at=clock + datetime.timedelta(minutes=minutes),
                    sequence=0,
                )
                clock = slot.end_at + datetime.timedelta(minutes=rng.choice(BREAKS))
                chosen = rng.sample(speakers, k=min(len(speakers), rng.choice((1, 1, 1, 2, 2, 3))))
                links = [
                    TalkSpeaker(
                        id=_uuid(rng),
                        talk_id=talk.id,
                        speaker_id=speaker.id,
                        role=SpeakerRole.SPEAKER if position == 0 else rng.choice(roles),
                        position=position,
                    )
                    for position, speaker in enumerate(chosen)
                ]
                out.rows.append(talk)
                out.rows.append(slot)
                out.rows.extend(links)
                out.talks += 1
                out.slots += 1
                out.speaker_links += len(links)
    return out


async def write_event(database_url: str, generated: Generated) -> None:
    """Add every row in one session with one commit; refuses an event slug that already exists."""
    engine = create_async_engine(database_url)
    if database_url.startswith("sqlite"):
        attach_sqlite_pragmas(engine)
    try:
        sessions = async_sessionmaker(engine, expire_on_commit=False)
        async with sessions() as session:
            await _add(session, generated)
    finally:
        await engine.dispose()


async def _add(session: AsyncSession, generated: Generated) -> None:
    slug = generated.event.slug
    if await session.scalar(select(Event.id).where(Event.slug == slug)) is not None:
        raise SystemExit(f"the event '{slug}' is already in the database; use a fresh one")
    # Parents before children, so each flush batch satisfies the foreign keys.
    order = (Event, Room, Track, Speaker, Talk, Slot, TalkSpeaker)
    for model in order:
        session.add_all([row for row in generated.rows if type(row) is model])
        await session.flush()
    await session.commit()


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--database-url", required=True, help="SQLAlchemy async URL, e.g. sqlite+aiosqlite:///x.db")
    parser.add_argument("--talks", type=int, required=True, help="number of talks (the event is bench-<talks>)")
    parser.add_argument("--days", type=int, default=3, help="days of the event (default 3)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--no-migrate", action="store_true", help="do not upgrade the schema first")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    if not args.no_migrate:
        upgrade(args.database_url)  # blocking, and must run outside the event loop
    migrated = time.perf_counter()
    generated = build_event(args.talks, seed=args.seed, days=args.days)
    built = time.perf_counter()
    asyncio.run(write_event(args.database_url, generated))
    done = time.perf_counter()
    print(
        f"{generated.event.slug}: {generated.talks} talks, {generated.slots} slots, {generated.rooms} rooms, "
        f"{generated.speakers} speakers, {generated.speaker_links} speaker links over {generated.days} days "
        f"(migrate {migrated - started:.1f}s, build {built - migrated:.1f}s, write {done - built:.1f}s)",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
