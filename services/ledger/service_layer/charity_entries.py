"""Charity's help to a person on their timeline: money disbursed to them from a fund,
goods given to them, and the reversal of a distribution entered in error."""

from wushe.ledger.service_layer.projection import Applying, projection
from wushe.ledger.service_layer.timeline import add_entry
from wushe.shared.events.charity import FundDisbursed
from wushe.shared.events.goods import GoodsDistributed, GoodsMovementReversed


@projection.on("fund.disbursed")
async def note_disbursement(applying: Applying) -> None:
    disbursed = FundDisbursed.model_validate(applying.event.payload)
    if disbursed.person_id is None:
        return
    details = {"amount_fen": disbursed.amount_fen, "purpose": disbursed.purpose,
               "fund_id": str(disbursed.fund_id)}  # fmt: skip
    add_entry(applying, str(disbursed.person_id), details)


@projection.on("goods.distributed")
async def note_goods_given(applying: Applying) -> None:
    given = GoodsDistributed.model_validate(applying.event.payload)
    if given.person_id is None:
        return
    details = {
        "category": given.category.value,
        "description": given.description,
        "quantity": f"{given.quantity} {given.unit}",
        "value_fen": given.value_fen,
    }
    add_entry(applying, str(given.person_id), details)


@projection.on("goods.movement_reversed")
async def note_goods_taken_back(applying: Applying) -> None:
    reversed_movement = GoodsMovementReversed.model_validate(applying.event.payload)
    if (
        reversed_movement.person_id is None
        or reversed_movement.reversed_type != "goods.distributed"
    ):
        return
    details = {"quantity_change": reversed_movement.quantity_change,
               "value_change_fen": reversed_movement.value_change_fen}  # fmt: skip
    add_entry(applying, str(reversed_movement.person_id), details)
