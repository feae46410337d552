"""A circuit breaker per partner: stop calling a partner that keeps failing.

Closed: deliveries go through. After ``failure_threshold`` consecutive failures it opens:
nothing is sent to that partner for ``cool_down_seconds``. Then it is half-open: one
probe delivery goes; success closes it, failure opens it again for another cool-down.
Alerts held back by an open circuit are not attempts: they wait, their retry budget intact.
"""

from dataclasses import dataclass
from enum import StrEnum

PROBE_WAIT_SECONDS = 1.0


class CircuitState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


@dataclass
class CircuitBreaker:
    failure_threshold: int
    cool_down_seconds: float
    consecutive_failures: int = 0
    opened_at: float | None = None
    probing: bool = False

    def state(self, now: float) -> CircuitState:
        if self.opened_at is None:
            return CircuitState.CLOSED
        if now - self.opened_at < self.cool_down_seconds:
            return CircuitState.OPEN
        return CircuitState.HALF_OPEN

    def wait_seconds(self, now: float) -> float:
        """0 when a delivery may go now (and, half-open, claims the one probe)."""
        state = self.state(now)
        if state is CircuitState.CLOSED:
            return 0.0
        if state is CircuitState.HALF_OPEN and not self.probing:
            self.probing = True
            return 0.0
        if state is CircuitState.HALF_OPEN:
            return min(PROBE_WAIT_SECONDS, self.cool_down_seconds)  # the probe's answer is due
        assert self.opened_at is not None
        return self.opened_at + self.cool_down_seconds - now

    def record_success(self) -> None:
        self.consecutive_failures = 0
        self.opened_at = None
        self.probing = False

    def record_failure(self, now: float) -> None:
        self.consecutive_failures += 1
        if self.probing or self.consecutive_failures >= self.failure_threshold:
            self.opened_at = now
        self.probing = False


class CircuitBreakers:
    def __init__(self, failure_threshold: int, cool_down_seconds: float) -> None:
        self._threshold = failure_threshold
        self._cool_down = cool_down_seconds
        self._breakers: dict[str, CircuitBreaker] = {}

    def of(self, partner_id: str) -> CircuitBreaker:
        breaker = self._breakers.get(partner_id)
        if breaker is None:
            breaker = self._breakers[partner_id] = CircuitBreaker(self._threshold, self._cool_down)
        return breaker
