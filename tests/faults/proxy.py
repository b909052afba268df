"""A TCP proxy between the app and PostgreSQL that a test breaks on purpose, the ways networks break.

It runs its own event loop in a thread, so it keeps forwarding (or keeps failing) whatever the
test's loop and the server's loop are doing. Each fault is what a client sees of a real one:

- ``refuse()``: the database is down. Established connections are cut, new ones refused (RST).
- ``blackhole()``: the host answers TCP but the database never speaks (a hung server, a
  half-open firewall). Established connections are cut; new ones are accepted and never forwarded.
- ``partition()``: the network goes silent. Established connections stay open but nothing crosses
  them either way; new ones are accepted and never forwarded.
- ``heal()``: everything is forwarded again, silenced connections included.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Coroutine
from typing import Any, Literal

Mode = Literal["forward", "refuse", "blackhole", "partition"]


class _Link:
    """One client connection and its upstream twin, pumped both ways while ``flowing`` is set."""

    def __init__(self, proxy: FaultyProxy, client: asyncio.StreamWriter, upstream: asyncio.StreamWriter) -> None:
        self.proxy = proxy
        self.writers = (client, upstream)

    async def pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                await self.proxy.flowing.wait()  # silenced: hold the bytes until healed
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            self.cut()

    def cut(self) -> None:
        for writer in self.writers:
            writer.transport.abort()
        self.proxy.links.discard(self)


class FaultyProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self.mode: Mode = "forward"
        self.links: set[_Link] = set()
        self.stalled: set[asyncio.StreamWriter] = set()
        self._server: asyncio.Server | None = None
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="faulty-proxy", daemon=True)
        self._thread.start()
        self.flowing = self._call(self._make_event())
        self._call(self._listen())

    # -- what a test calls ---------------------------------------------------------------------

    def refuse(self) -> None:
        self._call(self._set("refuse"))

    def blackhole(self) -> None:
        self._call(self._set("blackhole"))

    def partition(self) -> None:
        self._call(self._set("partition"))

    def heal(self) -> None:
        self._call(self._set("forward"))

    def close(self) -> None:
        self._call(self._shutdown())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._loop.close()

    # -- inside the proxy's loop ----------------------------------------------------------------

    def _call(self, coroutine: Coroutine[Any, Any, Any]) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=10)

    async def _make_event(self) -> asyncio.Event:
        event = asyncio.Event()
        event.set()
        return event

    async def _listen(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _stop_listening(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None

    async def _set(self, mode: Mode) -> None:
        self.mode = mode
        if mode == "partition":
            self.flowing.clear()
            return
        self.flowing.set()
        if mode in {"refuse", "blackhole"}:
            for link in list(self.links):
                link.cut()
        if mode == "refuse":
            await self._stop_listening()
        elif self._server is None:
            await self._listen()

    async def _shutdown(self) -> None:
        await self._stop_listening()
        self.flowing.set()
        for link in list(self.links):
            link.cut()
        for writer in list(self.stalled):
            writer.transport.abort()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.mode != "forward":  # blackhole or partition: accept, then never answer
            self.stalled.add(writer)
            with contextlib.suppress(ConnectionError, OSError):
                while await reader.read(65536):
                    pass
            writer.transport.abort()
            self.stalled.discard(writer)
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        link = _Link(self, writer, up_writer)
        self.links.add(link)
        await asyncio.gather(link.pump(reader, up_writer), link.pump(up_reader, writer))
