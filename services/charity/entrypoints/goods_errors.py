"""How the refusals of goods, needs and offers reach a client: the status, the field to
correct and why."""

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import HTTPException

from wushe.charity.domain.goods_refusals import Refused


@contextmanager
def refusals_as_http() -> Iterator[None]:
    """Turn a refusal raised inside the block into its HTTP error."""
    try:
        yield
    except Refused as refusal:
        raise HTTPException(
            refusal.status_code, detail={"field": refusal.field, "message": str(refusal)}
        ) from None
