"""The time bank's rules: what an account is, what a movement may do to it.

Hours are kept as whole minutes, exact. Every movement is an entry on one account;
the balance is the sum of the account's entries and may never go below zero. Donated
hours go to another volunteer or to a community's pool (one per region code), from
which the station spends them on services for people in need: hours given away stay
hours of volunteer service, and the pool is one account like any other.
"""

from dataclasses import dataclass
from enum import StrEnum

POOL_PREFIX = "pool:"
DEFAULT_CREDIT_MINUTES = 60
MINUTES_PER_DAY = 24 * 60


class HolderKind(StrEnum):
    VOLUNTEER = "volunteer"
    POOL = "pool"


class EntryKind(StrEnum):
    CREDITED = "credited"  # from the ledger's record of a visit or service
    CONFIRMED = "confirmed"  # logged by the volunteer, confirmed by the station
    DONATED = "donated"  # given away (negative)
    RECEIVED = "received"  # received from a donor (positive)
    SPENT = "spent"  # paid for a service (negative)
    REVERSAL = "reversal"  # cancels one earlier entry


# Earned hours, the figures' "volunteers and their hours"; their reversals count against them.
EARNING_KINDS = (EntryKind.CREDITED, EntryKind.CONFIRMED)
# Single-account entries a station may correct by reversing them. A donation is undone
# by donating back, by the one who received it.
REVERSIBLE_KINDS = (EntryKind.CREDITED, EntryKind.CONFIRMED, EntryKind.SPENT)


class LogStatus(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


def pool_account(region_code: str) -> str:
    return f"{POOL_PREFIX}{region_code}"


def is_pool(account_id: str) -> bool:
    return account_id.startswith(POOL_PREFIX)


def holder_of(account_id: str) -> HolderKind:
    return HolderKind.POOL if is_pool(account_id) else HolderKind.VOLUNTEER


@dataclass(frozen=True)
class Credit:
    minutes: int
    defaulted: bool


def credit_for(duration_minutes: int | None, default_minutes: int) -> Credit:
    """What a visit or service earns: its duration, or the default when none was given."""
    if duration_minutes is None:
        return Credit(default_minutes, defaulted=True)
    return Credit(duration_minutes, defaulted=False)


class Overdrawn(ValueError):
    """The movement would take the account below zero."""

    def __init__(self, account_id: str, balance: int, minutes: int) -> None:
        super().__init__(
            f"account {account_id} holds {balance} minutes; {-minutes} cannot be taken "
            f"(余额{balance}分钟，不足{-minutes}分钟)"
        )
        self.balance = balance


def balance_after(account_id: str, balance: int, minutes: int) -> int:
    """The balance once ``minutes`` (signed) are moved; never below zero."""
    after = balance + minutes
    if after < 0:
        raise Overdrawn(account_id, balance, minutes)
    return after
