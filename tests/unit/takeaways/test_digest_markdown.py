"""The Markdown digest shows everyone's text literally: pasted into a Markdown renderer, a note or a
title cannot add markup, headings, scripts or javascript: links."""

from __future__ import annotations

import datetime
import uuid
from zoneinfo import ZoneInfo

from markdown_it import MarkdownIt

from service.takeaways.digest import DigestTalk, render_digest

TALK = uuid.uuid4()
HOSTILE_NOTE = (
    "<script>alert(1)</script> <img src=x onerror=alert(2)>\n"
    "# Not a heading\n"
    "1. not a list\n"
    "[click me](javascript:alert(3)) and ![pixel](http://tracker.example/p.gif)\n"
    "**not bold** `not code` ~~not struck~~ | a | b |\n"
    "==="
)


def digest(title: str = "Evaluation is hard", links: tuple[tuple[str, str], ...] = (), note: str = "") -> str:
    talk = DigestTalk(
        talk_id=TALK,
        title=title,
        speakers=("Ada <b>Lovelace</b>",),
        start=datetime.datetime(2025, 6, 20, 10, 30, tzinfo=ZoneInfo("Europe/Copenhagen")),
        room="Room B",
        links=links,
    )
    return render_digest("Copenhagen NLP <Symposium>", [talk], {TALK: [("public", note or "Noted.")]})


def html(markdown: str) -> str:
    return MarkdownIt("commonmark").enable("table").enable("strikethrough").render(markdown)


def test_a_hostile_note_renders_as_its_own_text() -> None:
    rendered = html(digest(note=HOSTILE_NOTE))
    for markup in ("<script", "<img", "<a ", "<strong", "<code", "<s>", "<table", "<ol", 'href="javascript'):
        assert markup not in rendered, markup
    assert rendered.count("<h1>") == 1
    assert rendered.count("<h2>") == 1
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered
    assert "# Not a heading" in rendered
    assert "**not bold**" in rendered


def test_titles_and_names_cannot_open_headings_or_carry_html() -> None:
    rendered = html(digest(title="# Owned\n## Twice <img src=x onerror=alert(1)>"))
    assert rendered.count("<h2>") == 1
    assert "<img" not in rendered
    assert "Ada &lt;b&gt;Lovelace&lt;/b&gt;" in rendered
    assert "Copenhagen NLP &lt;Symposium&gt;" in rendered


def test_only_http_links_are_links() -> None:
    rendered = html(
        digest(links=(("Recording", "https://media.example/v?id=1&t=2"), ("Slides", "javascript:alert(1)")))
    )
    assert '<a href="https://media.example/v?id=1&amp;t=2">Recording</a>' in rendered
    assert 'href="javascript' not in rendered
    assert "Slides: javascript:alert(1)" in rendered


def test_a_link_cannot_break_out_of_its_parentheses() -> None:
    rendered = html(digest(links=(("More", "https://x.example/a)[evil](javascript:alert(1)"),)))
    assert rendered.count("<a ") == 1
    assert '<a href="https://x.example/a%29%5Bevil%5D%28javascript:alert%281%29">More</a>' in rendered


def test_plain_words_stay_readable_in_the_markdown_itself() -> None:
    text = digest(note="Evaluation of LLMs (still) is hard! Use 1.5x more data.")
    assert "- Evaluation of LLMs (still) is hard! Use 1.5x more data." in text
