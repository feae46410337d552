"""Who receives an event: the built-in rules (by kind of partner and region covered),
organisations offering the kind of help a need asks for, a fund's managers, and the
partners subscribed to the event type."""

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from wushe.notify.adapters.orm import FundManagerRecord, PartnerRecord, SubscriptionRecord
from wushe.notify.adapters.sharing_orm import (
    PartnerOfferRecord,
    RuleSettingRecord,
    SubscriptionGroupsRecord,
)
from wushe.notify.domain import rules
from wushe.notify.domain.rules import EffectiveRule, RegionalSetting, Rule, rule_for_region
from wushe.shared.events import EventEnvelope
from wushe.shared.events.partner_kinds import PartnerKind
from wushe.shared.regions import covers

Subscriptions = list[tuple[SubscriptionRecord, list[str] | None]]


@dataclass(frozen=True)
class Recipient:
    partner: PartnerRecord
    rule: Rule


def partner_covers(partner: PartnerRecord, region_code: str) -> bool:
    return any(covers(region, region_code) for region in partner.regions)


async def regional_settings(session: AsyncSession) -> list[RegionalSetting]:
    records = await session.scalars(select(RuleSettingRecord))
    return [
        RegionalSetting(
            rule=r.rule,
            region_code=r.region_code,
            enabled=r.enabled,
            recipient_kinds=(
                tuple(PartnerKind(k) for k in r.recipient_kinds)
                if r.recipient_kinds is not None
                else None
            ),
            escalate_after_minutes=r.escalate_after_minutes,
            merge_window_minutes=r.merge_window_minutes,
        )
        for r in records
    ]


async def effective_rule(session: AsyncSession, name: str, region_code: str) -> EffectiveRule:
    return rule_for_region(rules.BUILT_IN[name], region_code, await regional_settings(session))


async def recipients_of(
    session: AsyncSession,
    event: EventEnvelope,
    partners: dict[str, PartnerRecord] | None = None,
    settings: list[RegionalSetting] | None = None,
    subscribed: Subscriptions | None = None,
) -> list[Recipient]:
    """One recipient per partner: the first rule that reaches a partner decides why it
    is alerted, so a partner both subscribed and named by a rule hears it once.
    ``partners`` (by id), ``settings`` and ``subscribed`` (all subscriptions): when the
    caller has read them already."""
    if settings is None:
        settings = await regional_settings(session)
    if partners is None:
        partners = {p.id: p for p in await session.scalars(select(PartnerRecord))}
    chosen: dict[str, Recipient] = {}

    def add(partner_ids: list[str], rule: Rule) -> None:
        for partner_id in sorted(partner_ids):
            partner = partners.get(partner_id)
            if partner is not None and partner_id not in chosen:
                chosen[partner_id] = Recipient(partner, rule)

    for rule in rules.BUILT_IN.values():
        if not rule.concerns(event.type, event.payload):
            continue
        effective = rule_for_region(rule, event.region_code, settings)
        if not effective.rule.enabled:
            continue
        kinds = effective.rule.kinds_for(event.payload, effective.recipients_overridden)
        reached = _of_kinds(partners.values(), kinds, event.region_code)
        if not reached and effective.rule.escalate_to is not None:
            # Nobody at the first level covers the region: nobody could acknowledge, so
            # the next level hears of it at once rather than never.
            reached = _of_kinds(partners.values(), (effective.rule.escalate_to,), event.region_code)
        add(reached, effective.rule)
        if rule.name == rules.NEED_OFFERED:
            add(await _offering(session, event), effective.rule)
        if rule.name == rules.FUND_MANAGERS:
            add(await _fund_managers(session, event), effective.rule)

    subscription = rule_for_region(rules.BUILT_IN[rules.SUBSCRIPTION], event.region_code, settings)
    if subscription.rule.enabled:
        if subscribed is None:
            subscribed = await subscriptions(session, event.type)
        add(_subscribed(subscribed, event), subscription.rule)
    return list(chosen.values())


def _of_kinds(
    partners: Iterable[PartnerRecord], kinds: tuple[PartnerKind, ...], region_code: str
) -> list[str]:
    return [p.id for p in partners if p.kind in kinds and partner_covers(p, region_code)]


async def _offering(session: AsyncSession, event: EventEnvelope) -> list[str]:
    kind = event.payload.get("kind")
    where = str(event.payload.get("region_code", event.region_code))
    offers = await session.scalars(select(PartnerOfferRecord).where(PartnerOfferRecord.active))
    return [
        o.partner_id
        for o in offers
        if kind in o.kinds and any(covers(region, where) for region in o.regions)
    ]


async def _fund_managers(session: AsyncSession, event: EventEnvelope) -> list[str]:
    fund_id = str(event.payload.get("fund_id"))
    return list(
        await session.scalars(
            select(FundManagerRecord.partner_id).where(FundManagerRecord.fund_id == fund_id)
        )
    )


async def subscriptions(session: AsyncSession, event_type: str | None = None) -> Subscriptions:
    """Subscriptions with the groups they are narrowed to: to ``event_type``, or all."""
    query = select(SubscriptionRecord, SubscriptionGroupsRecord.groups).outerjoin(
        SubscriptionGroupsRecord,
        SubscriptionGroupsRecord.subscription_id == SubscriptionRecord.id,
    )
    if event_type is not None:
        query = query.where(SubscriptionRecord.event_type == event_type)
    return [(subscription, groups) for subscription, groups in await session.execute(query)]


def _subscribed(subscribed: Subscriptions, event: EventEnvelope) -> list[str]:
    event_groups = set(rules.groups_of(event.payload))
    return [
        subscription.partner_id
        for subscription, groups in subscribed
        if subscription.event_type == event.type
        and covers(subscription.region_code, event.region_code)
        and (not groups or bool(event_groups & set(groups)))
    ]
