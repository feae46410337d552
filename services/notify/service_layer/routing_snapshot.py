"""What routing reads of notify's own settings, read once for a batch of events.

Partners, their profiles, subscriptions and data-sharing agreements, the rules' regional
settings and regions' quiet hours change only through notify's HTTP API, never through
the events a batch applies, so one read serves every event in it. Offers, funds'
managers and consents do change with events, and are still read per event.

``RoutingSettings`` keeps the snapshot between polls and reads it again only when the
settings' version, which the database raises with every change to those tables, has
moved: one statement a poll instead of six, and a change committed before a poll is
seen by that poll, in every replica.
"""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from wushe.notify.adapters.orm import PartnerRecord
from wushe.notify.adapters.settings_version import routing_settings_version
from wushe.notify.adapters.sharing_orm import (
    PartnerProfileRecord,
    RegionQuietHoursRecord,
    SharingAgreementRecord,
)
from wushe.notify.domain.agreement import Agreement
from wushe.notify.domain.rules import RegionalSetting
from wushe.notify.service_layer.disclosure import agreement_from
from wushe.notify.service_layer.recipients import (
    Subscriptions,
    regional_settings,
    subscriptions,
)


@dataclass(frozen=True)
class RoutingSnapshot:
    partners: dict[str, PartnerRecord]
    settings: list[RegionalSetting]
    profiles: dict[str, PartnerProfileRecord]
    agreements: dict[str, list[Agreement]]
    region_quiet_hours: list[RegionQuietHoursRecord]
    subscriptions: Subscriptions

    def agreements_of(self, partner_id: str) -> list[Agreement]:
        return self.agreements.get(partner_id, [])

    def records(self) -> Iterator[object]:
        """The ORM records it holds."""
        yield from self.partners.values()
        yield from self.profiles.values()
        yield from self.region_quiet_hours
        yield from (subscription for subscription, _ in self.subscriptions)


async def load_snapshot(session: AsyncSession) -> RoutingSnapshot:
    agreements: dict[str, list[Agreement]] = defaultdict(list)
    for record in await session.scalars(select(SharingAgreementRecord)):
        agreements[record.partner_id].append(agreement_from(record))
    return RoutingSnapshot(
        partners={p.id: p for p in await session.scalars(select(PartnerRecord))},
        settings=await regional_settings(session),
        profiles={p.partner_id: p for p in await session.scalars(select(PartnerProfileRecord))},
        agreements=dict(agreements),
        region_quiet_hours=list(await session.scalars(select(RegionQuietHoursRecord))),
        subscriptions=await subscriptions(session),
    )


class RoutingSettings:
    """The routing snapshot, read again when the settings' version has moved."""

    def __init__(self) -> None:
        self._version: int | None = None
        self._snapshot: RoutingSnapshot | None = None

    async def snapshot(self, session: AsyncSession) -> RoutingSnapshot:
        version = await session.scalar(select(routing_settings_version.c.version))
        if self._snapshot is not None and version == self._version:
            return self._snapshot
        snapshot = await load_snapshot(session)
        # Kept beyond this session: its records must not be expired or refreshed with it.
        for record in snapshot.records():
            session.expunge(record)
        self._version, self._snapshot = version, snapshot
        return snapshot
