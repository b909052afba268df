"""Request every GET route of a running Plenary once, as a user's install serves it.

Usage: python .ci/smoke.py http://127.0.0.1:PORT [--organiser-token TOKEN]

The routes come from the app's own OpenAPI document (/docs/openapi.json), so a new route is
walked without editing this file. Path parameters are filled with real values from the demo (an
event, a talk and its slot, a speaker, a room, a track), and an attendee registered here supplies
the token for the /me routes and the secret of its calendar feed. Public routes must answer 2xx;
a route that needs a token may answer 401 only when no token of that kind was given. Any 5xx,
connection error, unparsable JSON or path parameter without a value fails the walk.

Standard library only: it runs in a virtualenv with nothing but `pip install .` in it.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from typing import Any

TIMEOUT = 30
PARAMETER = re.compile(r"\{([^}]+)\}")


@dataclass
class Answer:
    status: int
    content_type: str
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Walk:
    base: str
    failures: list[str] = field(default_factory=list)

    def call(self, method: str, path: str, *, token: str | None = None, payload: object | None = None) -> Answer | None:
        """One request; None when no HTTP answer came back (which is recorded as a failure)."""
        headers = {"Accept": "*/*"}
        data = None
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if payload is not None:
            headers["Content-Type"] = "application/json"
            data = json.dumps(payload).encode()
        # The base URL is the http:// server .ci/run started, never a file: or other scheme.
        request = urllib.request.Request(self.base + path, data=data, headers=headers, method=method)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
                content_type = response.headers.get("Content-Type", "")
                # A live stream never ends: its first line shows it opened, then the walk hangs up.
                body = response.readline() if content_type.startswith("text/event-stream") else response.read()
                return Answer(response.status, content_type, body)
        except urllib.error.HTTPError as error:
            return Answer(error.code, error.headers.get("Content-Type", ""), error.read())
        except (OSError, ValueError) as error:  # refused, reset, timed out: no answer at all
            self.failures.append(f"{method} {path}: no answer ({error})")
            print(f"  ---  {method} {path}  no answer: {error}")
            return None

    def need(self, method: str, path: str, **kwargs: Any) -> Any:
        """A request the walk's set-up depends on: it must answer 2xx with JSON."""
        answer = self.call(method, path, **kwargs)
        if answer is None or not 200 <= answer.status < 300:
            detail = "no answer" if answer is None else f"{answer.status} {answer.body[:300]!r}"
            sys.exit(f"smoke: set-up request {method} {path} failed: {detail}")
        return answer.json() if answer.body else None

    def check(
        self,
        path: str,
        *,
        token: str | None = None,
        may_refuse: bool = False,
        absent: bool = False,
        note: str = "",
    ) -> Answer | None:
        """GET one route, print its line, and record what is wrong with the answer."""
        answer = self.call("GET", path, token=token)
        if answer is None:
            return None
        problem = ""
        if answer.status >= 500:
            problem = "server error"
        elif absent and answer.status != 404:
            problem = "expected 404 for an id of nothing"
        elif not absent and not 200 <= answer.status < 300 and not (may_refuse and answer.status == 401):
            problem = "expected 2xx" + (" or 401" if may_refuse else "")
        elif 200 <= answer.status < 300 and "json" in answer.content_type:
            try:
                answer.json()
            except ValueError:
                problem = "unparsable JSON"
        suffix = f"  ({note})" if note and not problem else ""
        print(f"  {answer.status}  GET {path}  {len(answer.body)} bytes{suffix}")
        if problem:
            body = answer.body[:500].decode(errors="replace")
            print(f"       {problem}: {body}")
            self.failures.append(f"GET {path}: {answer.status} ({problem}) {body}")
        return answer


def demo_values(walk: Walk) -> dict[str, str]:
    """Real values for the path parameters, from the first event with a talk given by a speaker."""
    for event in walk.need("GET", "/events?limit=200")["items"]:
        slug = event["slug"]
        schedule = walk.need("GET", f"/events/{slug}/schedule")
        for day in schedule["days"]:
            for slot in day["talks"]:
                if slot["speakers"]:
                    values = {
                        "slug": slug,
                        "talk_id": slot["talk_id"],
                        "slot_id": slot["id"],
                        "speaker_id": slot["speakers"][0]["id"],
                    }
                    if slot.get("room"):
                        values["room_id"] = slot["room"]["id"]
                    if slot.get("track"):
                        values["track_id"] = slot["track"]["id"]
                    return values
    sys.exit("smoke: no event has a talk with a speaker: was the demo loaded?")


def register_attendee(walk: Walk, spec: dict[str, Any], values: dict[str, str]) -> str:
    """An attendee with a starred talk and a public takeaway, so the /me routes have content.

    The write routes are looked up in the OpenAPI document like the GET routes; registering is
    required, starring and writing a takeaway are done where the document has such routes.
    """
    registration = route(spec, "post", r"/events/\{slug\}/attendees")
    if registration is None:
        sys.exit("smoke: the OpenAPI document has no POST /events/{slug}/attendees to get a token from")
    registered = walk.need("POST", fill(registration, values)[0], payload={"display_name": "CI smoke walk"})
    token: str = registered["token"]
    values["feed_file"] = registered["calendar"]["ics"].rsplit("/", 1)[-1]
    star = route(spec, "put", r"/me/starred/\{[a-z_]+\}")
    if star is not None:
        walk.need("PUT", fill(star, values)[0], token=token)
    write = route(spec, "post", r"/events/\{slug\}/talks/\{[a-z_]+\}/takeaways")
    if write is not None:
        note = walk.need(
            "POST",
            fill(write, values)[0],
            token=token,
            payload={"text": "Smoke walk: this talk exists.", "visibility": "public", "client_id": str(uuid.uuid4())},
        )
        values["takeaway_id"] = note["id"]
    return token


def route(spec: dict[str, Any], method: str, pattern: str) -> str | None:
    """The first path of the document with this method whose template matches the pattern."""
    return next(
        (path for path in sorted(spec["paths"]) if method in spec["paths"][path] and re.fullmatch(pattern, path)), None
    )


def fill(path: str, values: dict[str, str]) -> tuple[str, list[str]]:
    missing = [name for name in PARAMETER.findall(path) if name not in values]
    return PARAMETER.sub(lambda m: values.get(m.group(1), m.group(0)), path), missing


def required_query(operation: dict[str, Any], values: dict[str, str]) -> tuple[str, list[str]]:
    """A query string for the required query parameters, from the same values (none today)."""
    wanted = [p["name"] for p in operation.get("parameters", []) if p.get("in") == "query" and p.get("required")]
    missing = [name for name in wanted if name not in values]
    pairs = [f"{name}={values[name]}" for name in wanted if name in values]
    return ("?" + "&".join(pairs) if pairs else ""), missing


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", help="the running server, e.g. http://127.0.0.1:8000")
    parser.add_argument("--organiser-token", default=None, help="for the organiser-only GET routes")
    args = parser.parse_args()
    if not args.base.startswith(("http://", "https://")):
        parser.error("the base URL must be http:// or https://")
    walk = Walk(args.base.rstrip("/"))

    spec = walk.need("GET", "/docs/openapi.json")
    print(f"  200  GET /docs/openapi.json  (OpenAPI {spec.get('openapi')}, {len(spec['paths'])} paths)")
    values = demo_values(walk)
    attendee = register_attendee(walk, spec, values)

    print("== every GET route in the OpenAPI document")
    walked = 0
    for template in sorted(spec["paths"]):
        operation = spec["paths"][template].get("get")
        if operation is None:
            continue
        walked += 1
        path, missing = fill(template, values)
        # An id the demo cannot supply (a webhook needs a public https receiver to be registered):
        # a random one must be a 404 problem, which still runs the route's whole stack.
        absent = bool(missing) and all(name.endswith("_id") for name in missing)
        if absent:
            path, missing = fill(template, {**values, **{name: str(uuid.uuid4()) for name in missing}})
        query, missing_query = required_query(operation, values)
        if missing or missing_query:
            print(f"  ---  GET {template}  no value for {', '.join(missing + missing_query)}")
            walk.failures.append(f"GET {template}: no value for {', '.join(missing + missing_query)}")
            continue
        if not operation.get("security"):
            walk.check(path + query, absent=absent)
        elif template == "/me" or template.startswith("/me/"):
            walk.check(path + query, token=attendee, absent=absent, note="as the attendee")
        elif args.organiser_token:
            walk.check(path + query, token=args.organiser_token, absent=absent, note="as an organiser")
        else:
            walk.check(path + query, may_refuse=True, note="no organiser token given")

    print("== the docs page, its assets, and routes the document describes in words")
    docs = walk.check("/docs")
    assets = re.findall(r'(?:src|href)="(/[^"]+)"', docs.body.decode(errors="replace")) if docs else []
    if not assets:
        walk.failures.append("GET /docs: the page names no local assets")
    for asset in sorted(set(assets)):
        walk.check(asset)
    walk.check(f"/events/{values['slug']}/talks/{values['talk_id']}.ics")

    print(f"== {walked} GET routes walked, {len(assets)} docs assets; {len(walk.failures)} failures")
    for failure in walk.failures:
        print(f"FAIL {failure}", file=sys.stderr)
    return 1 if walk.failures or walked == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
