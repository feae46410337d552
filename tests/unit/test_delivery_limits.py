"""A partner's token bucket and circuit breaker, driven by a clock the test holds."""

import pytest

from wushe.notify.domain.circuit_breaker import CircuitBreaker, CircuitState
from wushe.notify.domain.rate_limit import RateLimits, TokenBucket


def test_a_bucket_lets_a_burst_through_then_refills_at_its_rate() -> None:
    bucket = TokenBucket(per_second=2, burst=3)
    assert [bucket.take(100.0) for _ in range(3)] == [0, 0, 0]
    assert bucket.take(100.0) == pytest.approx(0.5)
    assert bucket.take(100.25) == pytest.approx(0.25)
    assert bucket.take(100.5) == 0
    assert bucket.take(110.0) == 0  # refilled, but never above the burst
    assert [bucket.take(110.0) for _ in range(3)][-1] == pytest.approx(0.5)


def test_partners_have_buckets_of_their_own() -> None:
    limits = RateLimits(per_second=1, burst=1)
    assert limits.take("a", 0) == 0
    assert limits.take("a", 0) > 0
    assert limits.take("b", 0) == 0


def test_a_bucket_refuses_a_configuration_that_would_never_send() -> None:
    with pytest.raises(ValueError, match="per_second"):
        TokenBucket(per_second=0, burst=1)


def test_the_circuit_opens_after_consecutive_failures_and_probes_after_the_cool_down() -> None:
    breaker = CircuitBreaker(failure_threshold=3, cool_down_seconds=30)
    for moment in (0.0, 1.0):
        breaker.record_failure(moment)
    assert breaker.state(2) is CircuitState.CLOSED
    breaker.record_success()  # a success in between resets the count
    for moment in (3.0, 4.0, 5.0):
        assert breaker.wait_seconds(moment) == 0
        breaker.record_failure(moment)
    assert breaker.state(6) is CircuitState.OPEN
    assert breaker.wait_seconds(6) == pytest.approx(29)
    assert breaker.state(35) is CircuitState.HALF_OPEN
    assert breaker.wait_seconds(35) == 0  # the one probe
    assert breaker.wait_seconds(35) > 0  # others wait for the probe's answer
    breaker.record_failure(36)  # the probe failed: open again for a whole cool-down
    assert breaker.state(60) is CircuitState.OPEN
    assert breaker.wait_seconds(66) == 0
    breaker.record_success()
    assert breaker.state(66) is CircuitState.CLOSED
    assert breaker.wait_seconds(66) == 0 and breaker.wait_seconds(66) == 0
