"""The companion's files as the server fills them in: the app shell, the service worker, the manifest.

Pure functions of their inputs. The shell carries the list of events rendered on the server, so
``/`` is a working page without JavaScript (and for a crawler or a screen reader before the
scripts load); the scripts then take over ``<main>`` for the event views.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from functools import cache
from html import escape
from pathlib import Path
from urllib.parse import quote

from service.events.schemas import EventOut

STATIC_DIR = Path(__file__).parent / "static"
TEMPLATES_DIR = Path(__file__).parent / "templates"
ASSETS_PREFIX = "/companion"
PRECACHED_SUFFIXES = (".js", ".css", ".svg", ".png")
"""What the service worker stores on install: everything the shell can load (not READMEs or licences)."""
APP_NAME = "Plenary"
THEME_COLOR = "#1d4ed8"
BACKGROUND_COLOR = "#f8fafc"


def _static_files() -> list[Path]:
    return sorted(path for path in STATIC_DIR.rglob("*") if path.is_file())


@cache
def asset_version() -> str:
    """A digest of every served file (templates included), so a changed file gets a new URL.

    Assets are cached by browsers for a year under ``/companion/<version>/``; the shell and the
    worker are revalidated on every load (``no-cache``) and name the version they go with.
    """
    digest = hashlib.sha256()
    for path in [*_static_files(), *sorted(TEMPLATES_DIR.iterdir())]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def assets_base() -> str:
    return f"{ASSETS_PREFIX}/{asset_version()}"


@cache
def _template(name: str) -> str:
    return (TEMPLATES_DIR / name).read_text(encoding="utf-8")


def render_front(events: Iterable[EventOut], docs_url: str) -> str:
    """The events, each opening in the companion, with its JSON schedule and calendar links."""
    items = "\n".join(
        f"""      <li>
        <h2><a href="/e/{escape(event.slug)}">{escape(event.title)}</a></h2>
        <p>{escape(event.start_date.isoformat())} to {escape(event.end_date.isoformat())}"""
        f"""{", " + escape(event.city) if event.city else ""} ({escape(event.timezone)})</p>
        <p class="links"><a href="{escape(event.links.schedule)}">Schedule (JSON)</a> ·
           <a href="{escape(event.links.calendar.webcal)}">Subscribe to the calendar</a> ·
           <a href="{escape(event.links.calendar.ics)}">iCalendar file</a></p>
      </li>"""
        for event in events
    )
    listing = f'<ul class="events">\n{items}\n    </ul>' if items else "<p>No events yet.</p>"
    return f"""<h1 tabindex="-1">Plenary</h1>
    <p>Conference schedules in every time zone, calendar feeds, and attendees' takeaways.
       Pick your event. The API and its interactive documentation are at
       <a href="{escape(docs_url)}">{escape(docs_url)}</a>.</p>
    {listing}"""


def _preloads(event_slug: str | None) -> str:
    """The modules at once (not import by import), and the event's data while they load.

    The QR code encoder is left to the two views that draw one.
    """
    base = assets_base()
    modules = [path.relative_to(STATIC_DIR).as_posix() for path in _static_files() if path.suffix == ".js"]
    eager = [module for module in modules if module != "app.js" and not module.startswith("vendor/")]
    links = [f'  <link rel="modulepreload" href="{base}/{module}">' for module in eager]
    if event_slug:
        event = f"/events/{quote(event_slug, safe='')}"
        for url in (event, f"{event}/schedule"):
            links.append(f'  <link rel="preload" href="{escape(url)}" as="fetch" crossorigin>')
    return "\n".join(links)


def render_shell(front: str, event_slug: str | None = None) -> str:
    """The one HTML page of the app: every deep link gets it, so a reload lands where it was."""
    return (
        _template("index.html")
        .replace("{{preloads}}", _preloads(event_slug))
        .replace("{{assets}}", assets_base())
        .replace("{{front}}", front)
    )


def render_service_worker() -> str:
    """The worker script, naming this version's assets so that it stores them on install."""
    base = assets_base()
    assets = [f"{base}/{path.relative_to(STATIC_DIR).as_posix()}" for path in _static_files()]
    precached = [url for url in assets if url.endswith(PRECACHED_SUFFIXES)]
    return (
        _template("sw.js")
        .replace("__VERSION__", asset_version())
        .replace("__ASSETS_BASE__", base)
        .replace("__PRECACHE__", json.dumps(precached))
    )


def manifest() -> dict[str, object]:
    """The web app manifest: what a phone needs to install the companion on its home screen."""
    icons = f"{assets_base()}/icons"
    return {
        "name": f"{APP_NAME}: your conference companion",
        "short_name": APP_NAME,
        "description": "Now and next, the schedule, your starred talks and your takeaways, also offline.",
        "id": "/",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOR,
        "background_color": BACKGROUND_COLOR,
        "icons": [
            {"src": f"{icons}/icon.svg", "sizes": "any", "type": "image/svg+xml"},
            {"src": f"{icons}/icon-192.png", "sizes": "192x192", "type": "image/png"},
            {"src": f"{icons}/icon-512.png", "sizes": "512x512", "type": "image/png"},
            {"src": f"{icons}/maskable-512.png", "sizes": "512x512", "type": "image/png", "purpose": "maskable"},
        ],
    }
