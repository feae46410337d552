"""Which donations a disbursement's money came from: first in, first out."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Allocation:
    donation_id: str
    amount_fen: int


def first_in_first_out(available: list[tuple[str, int]], amount_fen: int) -> list[Allocation]:
    """Take ``amount_fen`` from donations' unspent amounts, oldest first.

    ``available`` lists (donation id, unspent fen) oldest first; it must hold enough,
    which the account's balance guarantees, since a holding account's balance is the
    sum of its donations' unspent amounts.
    """
    allocations = []
    remaining = amount_fen
    for donation_id, unspent in available:
        if remaining == 0:
            break
        taken = min(unspent, remaining)
        if taken > 0:
            allocations.append(Allocation(donation_id, taken))
            remaining -= taken
    if remaining:
        raise ValueError(f"donations hold {amount_fen - remaining} fen, {amount_fen} needed")
    return allocations
