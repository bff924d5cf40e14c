"""A TCP proxy a test can cut and restore: the real PostgreSQL, briefly unreachable.

The bot connects to the proxy's port instead of the database's. `cut()`
closes the listening socket and aborts every open connection (what a network
partition or a database restart looks like from the bot: pooled connections
break, new ones are refused); `restore()` listens again.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Optional, Set


class TcpProxy:
    def __init__(self, port: int, target_host: str, target_port: int) -> None:
        self.port = port
        self.target = (target_host, target_port)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: Optional[asyncio.AbstractServer] = None
        self._transports: Set[asyncio.BaseTransport] = set()

    def start(self) -> None:
        self._thread.start()
        self.restore()

    def restore(self) -> None:
        asyncio.run_coroutine_threadsafe(self._listen(), self._loop).result(10)

    def cut(self) -> None:
        asyncio.run_coroutine_threadsafe(self._cut(), self._loop).result(10)

    def close(self) -> None:
        self.cut()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    async def _listen(self) -> None:
        if self._server is None:
            self._server = await asyncio.start_server(self._pipe_pair, "127.0.0.1", self.port)

    async def _cut(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for transport in list(self._transports):
            transport.abort()
        self._transports.clear()

    async def _pipe_pair(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        try:
            server_reader, server_writer = await asyncio.open_connection(*self.target)
        except OSError:
            client_writer.transport.abort()
            return
        self._transports.update({client_writer.transport, server_writer.transport})
        await asyncio.gather(
            self._pipe(client_reader, server_writer), self._pipe(server_reader, client_writer),
            return_exceptions=True,
        )

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        finally:
            self._transports.discard(writer.transport)
            writer.transport.abort()
