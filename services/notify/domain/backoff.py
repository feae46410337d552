"""When to try a failed delivery again: exponential backoff with full jitter, bounded.

Full jitter (a uniform draw between zero and the exponential ceiling) spreads the retries
of many alerts that failed together, so a partner coming back is not hit by all of them
at the same instant. The ceiling is capped and the number of attempts is bounded: after
the last one the alert is dead-lettered (status ``dead``) for an operator to redeliver.
"""

import random

MAX_ATTEMPTS = 8
BASE_SECONDS = 1.0
CAP_SECONDS = 15 * 60


def retry_delay_seconds(
    attempts_made: int,
    rng: random.Random | None = None,
    *,
    base_seconds: float = BASE_SECONDS,
    cap_seconds: float = CAP_SECONDS,
) -> float:
    ceiling = min(cap_seconds, base_seconds * 2 ** max(attempts_made - 1, 0))
    return (rng or random).uniform(0, ceiling)
