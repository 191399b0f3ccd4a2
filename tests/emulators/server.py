"""What every emulator shares: an aiohttp server on a loopback port that can add latency
and records how long each request took."""

from __future__ import annotations

import asyncio
import time

from aiohttp import web
from aiohttp.typedefs import Handler


class LocalServer:
    """Subclasses add their routes in `routes()`; `base` is `http://HOST:PORT` once started."""

    host = "127.0.0.1"
    max_body = 1024 * 1024

    def __init__(self) -> None:
        self.latency = 0.0  # seconds each request waits before it is served
        self.intervals: list[tuple[float, float]] = []  # (start, end) of every request
        self.base = ""
        self._runner: web.AppRunner | None = None

    def routes(self, app: web.Application) -> None:
        raise NotImplementedError

    async def start(self) -> None:
        app = web.Application(middlewares=[self._timed], client_max_size=self.max_body)
        self.routes(app)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base = f"http://{self.host}:{port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    @web.middleware
    async def _timed(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Wait `latency` seconds (an emulated network and server), and record how long
        each request took, so benchmarks can tell the bot's own time from the APIs'."""
        started = time.monotonic()
        if self.latency and request.path != "/socket":
            await asyncio.sleep(self.latency)
        try:
            return await handler(request)
        finally:
            self.intervals.append((started, time.monotonic()))
