"""A per-partner rate limit: a token bucket.

A partner's bucket holds up to ``burst`` tokens and refills at ``per_second``; each
delivery takes one. The clock is passed in (seconds, monotonic or not), so tests drive it.
"""

from dataclasses import dataclass, field


@dataclass
class TokenBucket:
    per_second: float
    burst: float
    tokens: float = field(init=False)
    updated_at: float | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        if self.per_second <= 0 or self.burst < 1:
            raise ValueError("a token bucket needs per_second > 0 and burst >= 1")
        self.tokens = self.burst

    def take(self, now: float) -> float:
        """Take a token. Returns 0 when one was taken, else the seconds until one is due."""
        self._refill(now)
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.per_second

    def _refill(self, now: float) -> None:
        if self.updated_at is not None and now > self.updated_at:
            self.tokens = min(self.burst, self.tokens + (now - self.updated_at) * self.per_second)
        if self.updated_at is None or now > self.updated_at:
            self.updated_at = now


class RateLimits:
    """One bucket per partner, all with the same configured rate."""

    def __init__(self, per_second: float, burst: float) -> None:
        self._per_second = per_second
        self._burst = burst
        self._buckets: dict[str, TokenBucket] = {}

    def take(self, partner_id: str, now: float) -> float:
        bucket = self._buckets.get(partner_id)
        if bucket is None:
            bucket = self._buckets[partner_id] = TokenBucket(self._per_second, self._burst)
        return bucket.take(now)
