"""Take the companion's screenshots shown in the README, at a phone's size, from the demo event.

    python docs/screenshots/take.py

Starts ``plenary serve`` on a fresh SQLite file in a temporary folder (the demo loaded), then drives
Debian's Chromium like an attendee: stars three sessions (two of them clash), writes takeaways,
asks for a pairing code, and a note edited on two devices at once. Each screen is saved here as a
PNG of 390x844 CSS pixels; ``--dark`` adds the dark-mode ones. Times are fixed with ``?at=`` so the
pictures do not depend on the day they are taken.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import Page, expect, sync_playwright

HERE = Path(__file__).resolve().parent
SLUG = "cph-nlp-2025"
SPIKES = "f34b9493-54e7-5db5-aa7f-f4bfe8c65e51"
WORKSHOP = "4f37399f-4021-50e7-a4e7-aac780422fd8"
AT = "2025-06-20T10:40"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(workdir: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {**os.environ, "PLENARY_PORT": str(port), "PLENARY_HOST": "127.0.0.1", "PLENARY_LOAD_DEMO": "true"}
    env.pop("PLENARY_DATABASE_URL", None)
    process = subprocess.Popen([sys.executable, "-m", "service.cli", "serve"], cwd=workdir, env=env)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            with urllib.request.urlopen(f"{base}/ready", timeout=2):  # noqa: S310 - local
                return process, base
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit("plenary serve did not start")


def _patch_note(base: str, token: str, note: dict[str, object], text: str) -> None:
    request = urllib.request.Request(  # noqa: S310 - local
        f"{base}/me/takeaways/{note['id']}",
        data=json.dumps({"text": text}).encode(),
        method="PATCH",
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "If-Match": f'"{note["version"]}"',
        },
    )
    urllib.request.urlopen(request, timeout=10).close()  # noqa: S310 - local


def _my_notes(base: str, token: str) -> list[dict[str, object]]:
    request = urllib.request.Request(  # noqa: S310 - local
        f"{base}/me/takeaways?event={SLUG}", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - local
        return list(json.loads(response.read())["items"])


def _token(page: Page) -> str:
    return str(
        page.evaluate(
            """async (slug) => {
              const db = await new Promise((ok) => {
                const r = indexedDB.open('plenary');
                r.onsuccess = () => ok(r.result);
              });
              return new Promise((ok) => { const q = db.transaction('kv').objectStore('kv').get(`identity:${slug}`);
                q.onsuccess = () => ok(q.result.token); });
            }""",
            SLUG,
        )
    )


def _settled(page: Page) -> None:
    expect(page.locator("body")).to_have_attribute("data-outbox", "0", timeout=20_000)


def _shoot(page: Page, name: str) -> None:
    page.wait_for_timeout(300)
    page.screenshot(path=HERE / f"{name}.png")
    print(f"saved {HERE / name}.png")


def take(base: str, dark: bool) -> None:
    suffix = "-dark" if dark else ""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        context = browser.new_context(
            viewport={"width": 390, "height": 844},
            is_mobile=True,
            has_touch=True,
            device_scale_factor=1,
            locale="en-GB",
            color_scheme="dark" if dark else "light",
        )
        page = context.new_page()
        page.goto(f"{base}/")
        expect(page.get_by_role("heading", name="Plenary", level=1)).to_be_visible()
        _shoot(page, f"events{suffix}")

        page.goto(f"{base}/e/{SLUG}/schedule")
        for title in ("Spikes in the loss", "Evaluation of LLMs", "Small language models"):
            page.get_by_role("button", name=f"Star: {title}", exact=False).click()
        _settled(page)
        page.goto(f"{base}/e/{SLUG}?at={AT}")
        expect(page.get_by_role("region", name="Auditorium 1")).to_be_visible()
        _shoot(page, f"now{suffix}")

        page.goto(f"{base}/e/{SLUG}/schedule?track=data")
        expect(page.locator(".count")).to_be_visible()
        _shoot(page, f"schedule{suffix}")

        page.goto(f"{base}/e/{SLUG}/talks/{SPIKES}")
        form = page.locator("form.note-form")
        form.get_by_label("Your takeaway").fill(
            "Loss spikes traced to one subreddit: look at the data before the model."
        )
        form.get_by_role("button", name="Save takeaway").click()
        _settled(page)
        form.get_by_label("Your takeaway").fill("Ask about their filtering threshold")
        page.evaluate("window.scrollTo(0, 260)")
        _shoot(page, f"talk{suffix}")

        page.goto(f"{base}/e/{SLUG}/starred")
        expect(page.locator(".entry").first).to_be_visible()
        _shoot(page, f"starred{suffix}")

        page.goto(f"{base}/e/{SLUG}/talks/{WORKSHOP}")
        page.locator("form.note-form").get_by_label("Your takeaway").fill("Bring a laptop; filters are simple regexes.")
        page.get_by_role("button", name="Save takeaway").click()
        _settled(page)
        page.goto(f"{base}/e/{SLUG}/notes")
        page.get_by_role("button", name="Edit").first.click()
        # A conflict: the note edited "on the laptop" (through the API) while the phone edits it too.
        token = _token(page)
        spikes = next(note for note in _my_notes(base, token) if note["talk_id"] == SPIKES)
        _patch_note(base, token, spikes, "Loss spikes came from r/microwavegang posts.")
        page.get_by_label("Edit your takeaway").fill("Spikes: one subreddit of 'Mmmmm' posts. Filter the data.")
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.get_by_role("group", name="Conflict between two versions")).to_be_visible()
        _shoot(page, f"notes{suffix}")

        page.goto(f"{base}/e/{SLUG}/devices")
        page.get_by_role("button", name="Show a pairing code").click()
        expect(page.locator(".qr svg")).to_be_visible()
        _shoot(page, f"devices{suffix}")

        context.set_offline(True)
        page.goto(f"{base}/e/{SLUG}/talks/{WORKSHOP}")
        page.locator("form.note-form").get_by_label("Your takeaway").fill("Written with no network: kept on the phone.")
        page.get_by_role("button", name="Save takeaway").click()
        expect(page.locator("#status")).to_contain_text("Offline")
        page.evaluate("window.scrollTo(0, 420)")
        _shoot(page, f"offline{suffix}")
        browser.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--dark", action="store_true", help="also take the dark-mode screenshots")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as workdir:
        process, base = _serve(Path(workdir))
        try:
            take(base, dark=False)
            if args.dark:
                take(base, dark=True)
        finally:
            process.terminate()
            process.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
