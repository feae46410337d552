"""Journal entries: every movement of money is a set of lines that sum to zero."""

from collections import defaultdict
from dataclasses import dataclass
from enum import StrEnum


class EntryKind(StrEnum):
    DONATION = "donation"
    DONATION_REVERSAL = "donation_reversal"
    DISBURSEMENT = "disbursement"
    OPENING_BALANCE = "opening_balance"


class UnbalancedEntry(ValueError):
    """Lines that do not sum to zero would create or destroy money."""


@dataclass(frozen=True)
class Line:
    account_id: str
    amount_fen: int


def balanced(lines: list[Line]) -> list[Line]:
    """The lines of one entry, checked: at least two, none zero, summing to zero."""
    if len(lines) < 2:
        raise UnbalancedEntry("a journal entry needs at least two lines")
    if any(not isinstance(line.amount_fen, int) or line.amount_fen == 0 for line in lines):
        raise UnbalancedEntry("every line moves a non-zero whole number of fen")
    total = sum(line.amount_fen for line in lines)
    if total != 0:
        raise UnbalancedEntry(f"journal lines sum to {total} fen, not 0")
    return lines


def reversing(lines: list[Line]) -> list[Line]:
    """The lines that undo an entry: the same accounts, the opposite amounts."""
    return balanced([Line(line.account_id, -line.amount_fen) for line in lines])


def movement_per_account(lines: list[Line]) -> dict[str, int]:
    """Net change per account, in a stable order so that rows are locked in one order."""
    totals: dict[str, int] = defaultdict(int)
    for line in lines:
        totals[line.account_id] += line.amount_fen
    return dict(sorted(totals.items()))
