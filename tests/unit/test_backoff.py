import random

from wushe.notify.domain.backoff import CAP_SECONDS, retry_delay_seconds


def test_delays_are_drawn_below_an_exponential_ceiling_with_a_cap() -> None:
    rng = random.Random(7)
    for attempt in range(1, 30):
        ceiling = min(CAP_SECONDS, 2 ** (attempt - 1))
        draws = [retry_delay_seconds(attempt, rng) for _ in range(200)]
        assert all(0 <= delay <= ceiling for delay in draws)
        # Full jitter: the draws spread over the whole range, not only its upper half.
        assert min(draws) < ceiling / 4 and max(draws) > ceiling * 3 / 4


def test_configured_base_and_cap_bound_the_delay() -> None:
    rng = random.Random(1)
    delays = [retry_delay_seconds(n, rng, base_seconds=0.1, cap_seconds=2) for n in range(1, 40)]
    assert max(delays) <= 2
    assert retry_delay_seconds(1, rng, base_seconds=0.1, cap_seconds=2) <= 0.1
