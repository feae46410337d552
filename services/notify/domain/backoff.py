"""When to try a failed delivery again: exponential backoff with equal jitter."""

import random

MAX_ATTEMPTS = 8
BASE_SECONDS = 1.0
CAP_SECONDS = 15 * 60


def retry_delay_seconds(attempts_made: int, rng: random.Random | None = None) -> float:
    ceiling = min(CAP_SECONDS, BASE_SECONDS * 2 ** (attempts_made - 1))
    return (rng or random).uniform(ceiling / 2, ceiling)
