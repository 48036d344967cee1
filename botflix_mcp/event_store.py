"""A bounded in-memory SSE event store for the streamable HTTP transport (SEP-1699 resumption, issue 12 §8).

With an event store the SDK starts every SSE response of a 2025-11-25 session with a priming event (an event id
and empty data) carrying `retry: RETRY_MS`, so a client whose stream drops reconnects after that interval with
`Last-Event-ID` and receives what it missed. Events are kept for `max_age` seconds and at most `max_events` in
all; older ones are gone and a reconnect naming them starts afresh.

Event ids are `<random stream token>:<sequence>`: one store serves every session, and a client can only resume a
stream whose unguessable token it was sent.
"""

from __future__ import annotations

import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass

from mcp.server.streamable_http import EventCallback, EventId, EventMessage, EventStore, StreamId
from mcp.types import JSONRPCMessage

#: The `retry` field of the priming event, milliseconds.
RETRY_MS = 1000


@dataclass(frozen=True)
class _Stored:
    stream_id: StreamId
    message: JSONRPCMessage | None
    at: float


class MemoryEventStore(EventStore):
    def __init__(self, *, max_events: int = 500, max_age: float = 60.0) -> None:
        self.max_events = max_events
        self.max_age = max_age
        self._events: OrderedDict[EventId, _Stored] = OrderedDict()
        self._tokens: dict[StreamId, str] = {}
        self._sequence = 0

    def _prune(self, now: float) -> None:
        while self._events:
            event_id, stored = next(iter(self._events.items()))
            if len(self._events) <= self.max_events and now - stored.at <= self.max_age:
                break
            del self._events[event_id]
        live = {stored.stream_id for stored in self._events.values()}
        for stream_id in [s for s in self._tokens if s not in live]:
            del self._tokens[stream_id]

    async def store_event(self, stream_id: StreamId, message: JSONRPCMessage | None) -> EventId:
        now = time.monotonic()
        self._prune(now)
        token = self._tokens.setdefault(stream_id, secrets.token_urlsafe(16))
        self._sequence += 1
        event_id = f"{token}:{self._sequence}"
        self._events[event_id] = _Stored(stream_id, message, now)
        return event_id

    async def replay_events_after(self, last_event_id: EventId, send_callback: EventCallback) -> StreamId | None:
        self._prune(time.monotonic())
        last = self._events.get(last_event_id)
        if last is None:
            return None
        after = False
        for event_id, stored in list(self._events.items()):
            if event_id == last_event_id:
                after = True
                continue
            if after and stored.stream_id == last.stream_id and stored.message is not None:
                await send_callback(EventMessage(stored.message, event_id))
        return last.stream_id
