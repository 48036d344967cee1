"""Fault injection for the sandbox: error rates per route, latency, 429 bursts, dropped connections.

Seeded, so a failing run can be replayed. A "drop" really cuts the HTTP exchange: the response head is sent with
a Content-Length and the body is abandoned, so the client sees a broken connection, not a 500.
"""

from __future__ import annotations

import random
import re
import threading
from dataclasses import dataclass, field, replace
from typing import Literal

FaultKind = Literal["500", "429", "drop", "ack_lost"]


@dataclass
class FaultRule:
    """Requests whose `METHOD /path` matches `pattern` fail with probability `rate`, picking from `kinds`."""

    pattern: str
    rate: float
    kinds: tuple[FaultKind, ...] = ("500", "429", "drop")
    latency: float = 0.0  # seconds added to every matching request
    burst_429: int = 0  # the next N matching requests answer 429 (then the rate applies)

    def matches(self, method: str, path: str) -> bool:
        return re.search(self.pattern, f"{method} {path}") is not None


@dataclass
class FaultConfig:
    rules: list[FaultRule] = field(default_factory=list)
    seed: int = 1234
    retry_after: float = 0.05  # X-RateLimit-Retry-After sent with injected 429s
    _rng: random.Random = field(init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    injected: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def decide(self, method: str, path: str) -> tuple[FaultKind | None, float]:
        """(fault or None, extra latency) for one request."""
        with self._lock:
            for rule in self.rules:
                if not rule.matches(method, path):
                    continue
                if rule.burst_429 > 0:
                    rule.burst_429 -= 1
                    self.injected["429"] = self.injected.get("429", 0) + 1
                    return "429", rule.latency
                if rule.rate and self._rng.random() < rule.rate:
                    kind = self._rng.choice(rule.kinds)
                    self.injected[kind] = self.injected.get(kind, 0) + 1
                    return kind, rule.latency
                return None, rule.latency
        return None, 0.0

    @classmethod
    def everywhere(cls, rate: float = 0.0, latency: float = 0.0, seed: int = 1234) -> FaultConfig:
        """One rule for every AIOZ request (`botflix-mcp sandbox --fault-rate/--fault-latency`); empty when both
        are 0."""
        if not rate and not latency:
            return cls(seed=seed)
        return cls(rules=[FaultRule(pattern=".", rate=rate, latency=latency)], seed=seed)

    def fresh(self) -> FaultConfig:
        """The same rules and seed, with the random sequence, bursts and counters back at their start."""
        rules = [replace(rule, kinds=tuple(rule.kinds)) for rule in self.rules]
        return FaultConfig(rules=rules, seed=self.seed, retry_after=self.retry_after)

    @classmethod
    def from_json(cls, data: dict[str, object]) -> FaultConfig:
        rules = [
            FaultRule(
                pattern=str(r["pattern"]),
                rate=float(r.get("rate", 0.0)),
                kinds=tuple(r.get("kinds", ("500", "429", "drop"))),
                latency=float(r.get("latency", 0.0)),
                burst_429=int(r.get("burst_429", 0)),
            )
            for r in data.get("rules", [])  # type: ignore[attr-defined]
        ]
        return cls(rules=rules, seed=int(data.get("seed", 1234)), retry_after=float(data.get("retry_after", 0.05)))  # type: ignore[arg-type,call-overload]
