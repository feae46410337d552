"""A fund's accounts: what it holds (unrestricted, or per restriction) and where money
came from and went to. An account's balance is the sum of its journal lines: holding
accounts are positive and never below zero, sources negative, sinks positive."""

from enum import StrEnum

from wushe.charity.domain.donation import Channel
from wushe.charity.domain.restrictions import Restriction


class AccountKind(StrEnum):
    HOLDING = "holding"
    DONATIONS = "donations"  # source: money received, per channel
    DISBURSED = "disbursed"  # sink: money paid out, to persons or to projects


UNRESTRICTED = "holding"
DISBURSED_TO_PERSON = "disbursed:person"
DISBURSED_TO_PROJECT = "disbursed:project"


def holding_code(restriction: Restriction | None) -> str:
    """The code of the account holding money under ``restriction`` (None: unrestricted)."""
    if restriction is None:
        return UNRESTRICTED
    return f"holding:{restriction.kind.value}:{restriction.target}"


def donations_code(channel: Channel) -> str:
    return f"donations:{channel.value}"


def standard_accounts() -> list[tuple[str, AccountKind]]:
    """The accounts every fund opens with; restricted holding accounts come with the first
    donation under each restriction."""
    return [
        (UNRESTRICTED, AccountKind.HOLDING),
        *((donations_code(channel), AccountKind.DONATIONS) for channel in Channel),
        (DISBURSED_TO_PERSON, AccountKind.DISBURSED),
        (DISBURSED_TO_PROJECT, AccountKind.DISBURSED),
    ]
