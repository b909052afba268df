"""RFC 9110 entity-tag comparison and the render cache, without a server."""

from __future__ import annotations

import pytest

from service.core.etags import etag_matches, make_etag
from service.core.http import RenderCache


class TestEtagMatches:
    @pytest.mark.parametrize(
        ("header", "expected"),
        [
            ('"abc"', True),
            ('W/"abc"', True),  # weak comparison ignores the weakness flag
            ('"x", "abc"', True),
            ('"x","abc"', True),
            ('"a,b", "abc"', True),  # commas inside a tag do not split it
            ("*", True),
            ('"abcd"', False),
            ("abc", False),  # unquoted is not the same tag
            ("", False),
        ],
    )
    def test_rfc9110_weak_comparison(self, header: str, expected: bool) -> None:
        assert etag_matches(header, '"abc"') is expected

    def test_tags_are_quoted_and_follow_their_parts(self) -> None:
        tag = make_etag("event", 1)
        assert tag.startswith('"')
        assert tag.endswith('"')
        assert tag == make_etag("event", 1)
        assert tag != make_etag("event", 2)


class TestRenderCache:
    def test_keeps_bodies_until_the_byte_budget_is_spent_then_drops_the_oldest(self) -> None:
        cache = RenderCache(max_bytes=10)
        cache.put("a", b"1234")
        cache.put("b", b"1234")
        assert cache.get("a") == b"1234"  # now "b" is the least recently used
        cache.put("c", b"1234")

        assert cache.get("b") is None
        assert cache.get("a") == b"1234"
        assert cache.get("c") == b"1234"
        assert cache.size == 8

    def test_a_body_larger_than_the_budget_is_not_kept(self) -> None:
        cache = RenderCache(max_bytes=3)
        cache.put("big", b"1234")
        assert cache.get("big") is None
        assert cache.size == 0


class TestRenderOnce:
    async def test_concurrent_requests_for_one_tag_share_one_render(self) -> None:
        import asyncio

        cache = RenderCache(max_bytes=1000)
        renders = 0

        async def produce() -> bytes:
            nonlocal renders
            renders += 1
            await asyncio.sleep(0.01)
            return b"body"

        bodies = await asyncio.gather(*(cache.render_once("tag", produce) for _ in range(10)))
        assert bodies == [b"body"] * 10
        assert renders == 1

    async def test_a_failed_render_reaches_every_waiter_and_is_not_cached(self) -> None:
        import asyncio

        cache = RenderCache(max_bytes=1000)

        async def fail() -> bytes:
            await asyncio.sleep(0.01)
            raise ValueError("bad filter")

        results = await asyncio.gather(*(cache.render_once("tag", fail) for _ in range(3)), return_exceptions=True)
        assert all(isinstance(r, ValueError) for r in results)
        assert cache.get("tag") is None

    async def test_when_the_rendering_request_is_cancelled_a_waiter_renders_instead(self) -> None:
        import asyncio

        cache = RenderCache(max_bytes=1000)
        started = asyncio.Event()

        async def slow() -> bytes:
            started.set()
            await asyncio.sleep(10)
            return b"never"

        async def quick() -> bytes:
            return b"body"

        first = asyncio.create_task(cache.render_once("tag", slow))
        await started.wait()
        waiter = asyncio.create_task(cache.render_once("tag", quick))
        await asyncio.sleep(0)
        first.cancel()
        assert await waiter == b"body"
        assert first.cancelled()
        assert cache.get("tag") == b"body"
