"""The page at ``/``: where a person who opened the service's address in a browser goes next."""

from __future__ import annotations

from html import escape

from service.events.schemas import EventOut


def render_home(events: list[EventOut], docs_url: str) -> str:
    """A short HTML page linking the API docs and each event's schedule and calendar feed."""
    items = "\n".join(
        f"""    <li>
      <h2>{escape(event.title)}</h2>
      <p>{escape(event.start_date.isoformat())} to {escape(event.end_date.isoformat())}"""
        f"""{", " + escape(event.city) if event.city else ""} ({escape(event.timezone)})</p>
      <p><a href="{escape(event.links.schedule)}">Schedule (JSON)</a> ·
         <a href="{escape(event.links.calendar.webcal)}">Subscribe to the calendar</a> ·
         <a href="{escape(event.links.calendar.ics)}">iCalendar file</a></p>
    </li>"""
        for event in events
    )
    listing = f'<ul class="events">\n{items}\n  </ul>' if events else "<p>No events yet.</p>"
    return f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Plenary</title>
  <style>
    :root {{ color-scheme: light dark; font-family: system-ui, sans-serif; line-height: 1.5; }}
    body {{ max-width: 42rem; margin: 2rem auto; padding: 0 1rem; }}
    ul.events {{ list-style: none; padding: 0; }}
    h2 {{ font-size: 1.15rem; margin-bottom: 0; }}
    h2 + p {{ margin-top: 0.25rem; }}
  </style>
</head>
<body>
  <main>
    <h1>Plenary</h1>
    <p>Conference schedules in every time zone, calendar feeds, and attendees' takeaways.
       The API and its interactive documentation are at <a href="{escape(docs_url)}">{escape(docs_url)}</a>.</p>
  {listing}
  </main>
</body>
</html>
"""
