"""uvicorn's HTTP/1.1 protocol with a deadline for each request to arrive in full.

uvicorn times out idle keep-alive connections, but not a request that arrives slowly or never
finishes: a client that sends half its headers, or announces a body it never sends, holds a
connection for ever. A few hundred of them once left `/v1/health` unanswered for everyone. Here
each request (headers and body) must be in within `REMEM_READ_TIMEOUT` seconds (10 by default) of
the connection opening or of the previous response; otherwise the connection is closed. How many
connections one server holds is capped by uvicorn's `limit_concurrency` (`REMEM_MAX_CONNECTIONS`,
256 by default): past it, a new request is answered 503 at once instead of waiting.
"""

from __future__ import annotations

import asyncio
import os

from uvicorn.protocols.http.h11_impl import H11Protocol, RequestResponseCycle

READ_TIMEOUT_S = 10.0
MAX_CONNECTIONS = 256


def read_timeout() -> float:
    return float(os.environ.get("REMEM_READ_TIMEOUT", READ_TIMEOUT_S))


def max_connections() -> int:
    return int(os.environ.get("REMEM_MAX_CONNECTIONS", MAX_CONNECTIONS))


class DeadlineProtocol(H11Protocol):
    """H11Protocol that closes a connection whose request is not in full by its deadline."""

    _deadline: asyncio.TimerHandle | None = None
    _waiting_after: RequestResponseCycle | None = None  # the cycle that was current when the clock started

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._start_clock()

    def handle_events(self) -> None:
        super().handle_events()
        arrived = self.cycle is not None and self.cycle is not self._waiting_after and not self.cycle.more_body
        if arrived:
            self._stop_clock()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._start_clock()  # the next request on this connection gets the same time

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_clock()
        super().connection_lost(exc)

    def _start_clock(self) -> None:
        self._stop_clock()
        self._waiting_after = self.cycle
        self._deadline = self.loop.call_later(read_timeout(), self._expired)

    def _stop_clock(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expired(self) -> None:
        self._deadline = None
        if not self.transport.is_closing():
            self.transport.close()
