"""What the money routes share: who may do what, and the desk a command works at."""

from uuid import UUID

from wushe.charity.adapters.orm import FundRecord
from wushe.charity.domain.refusals import NotFound
from wushe.charity.service_layer.donations import Desk
from wushe.shared.auth import Caller, Role, require_region
from wushe.shared.http import RuntimeDep

FUND_KEEPERS = (Role.ADMIN, Role.STATION_STAFF)
REQUESTERS = (Role.ADMIN, Role.STATION_STAFF, Role.SOCIAL_WORKER)
READERS = (Role.ADMIN, Role.STATION_STAFF, Role.SOCIAL_WORKER, Role.AUDITOR)


def desk(caller: Caller, runtime: RuntimeDep) -> Desk:
    return Desk(caller, runtime.producer, runtime.settings.field_cipher())


async def fund_of_caller(runtime: RuntimeDep, caller: Caller, fund_id: UUID | str) -> FundRecord:
    """The fund, if it is within the caller's region."""
    async with runtime.sessions() as session:
        fund = await session.get(FundRecord, str(fund_id))
    if fund is None:
        raise NotFound(f"no fund {fund_id} / 没有该基金", field="fund_id")
    require_region(caller, fund.region_code)
    return fund
