import random

from wushe.notify.domain.backoff import CAP_SECONDS, retry_delay_seconds


def test_delays_grow_exponentially_with_jitter_and_a_cap() -> None:
    rng = random.Random(7)
    delays = [retry_delay_seconds(attempt, rng) for attempt in range(1, 16)]
    assert 0.5 <= delays[0] <= 1
    assert 4 <= delays[3] <= 8
    assert all(delay <= CAP_SECONDS for delay in delays)
    assert len({round(d, 6) for d in delays}) == len(delays)
