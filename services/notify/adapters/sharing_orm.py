"""Notify's tables for what partners may receive and why they received it: how partners
are reached, data-sharing agreements, the consents and offers notify follows, the rules'
regional settings, every routed alert's reasons, held digests, and the sharing ledger.

Per-alert facts live here keyed by the alert id, beside the delivery's own tables.
"""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from wushe.notify.adapters.orm import Base


class PartnerProfileRecord(Base):
    """A partner's channels besides its webhook, its sealed contacts and its quiet hours."""

    __tablename__ = "partner_profiles"

    partner_id: Mapped[str] = mapped_column(ForeignKey("partners.id"), primary_key=True)
    contacts_sealed: Mapped[str | None] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(String(200))
    sms_number: Mapped[str | None] = mapped_column(String(20))
    quiet_from: Mapped[str | None] = mapped_column(String(5))
    quiet_until: Mapped[str | None] = mapped_column(String(5))
    digest_at: Mapped[str | None] = mapped_column(String(5))


class SubscriptionGroupsRecord(Base):
    """The groups a subscription is narrowed to; a subscription without a row takes all."""

    __tablename__ = "subscription_groups"

    subscription_id: Mapped[str] = mapped_column(ForeignKey("subscriptions.id"), primary_key=True)
    groups: Mapped[list[str]] = mapped_column(JSON)


class SharingAgreementRecord(Base):
    __tablename__ = "sharing_agreements"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    partner_id: Mapped[str] = mapped_column(ForeignKey("partners.id"), index=True)
    reference: Mapped[str] = mapped_column(String(100))
    purpose: Mapped[str] = mapped_column(String(40))
    event_types: Mapped[list[str]] = mapped_column(JSON)
    fields: Mapped[list[str]] = mapped_column(JSON)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    # Shared without consent under this ground (domain.statutory), citing the provision.
    statutory_ground: Mapped[str | None] = mapped_column(String(60))
    statutory_note: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PersonConsentRecord(Base):
    """Projection of intake's `consent.granted` / `consent.revoked`."""

    __tablename__ = "person_consents"

    consent_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    person_id: Mapped[str] = mapped_column(String(36), index=True)
    purpose: Mapped[str] = mapped_column(String(40))
    recipient_kind: Mapped[str] = mapped_column(String(40))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    revoked_on: Mapped[date | None] = mapped_column(Date)


class PartnerOfferRecord(Base):
    """Projection of charity's `offer.posted` / `offer.withdrawn` (供给清单)."""

    __tablename__ = "partner_offers"

    offer_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    partner_id: Mapped[str] = mapped_column(String(100), index=True)
    kinds: Mapped[list[str]] = mapped_column(JSON)
    regions: Mapped[list[str]] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean)


class RuleSettingRecord(Base):
    """A region's own setting of a built-in rule; the most specific region wins."""

    __tablename__ = "rule_settings"

    rule: Mapped[str] = mapped_column(String(60), primary_key=True)
    region_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean)
    recipient_kinds: Mapped[list[str] | None] = mapped_column(JSON)
    escalate_after_minutes: Mapped[int | None] = mapped_column(Integer)
    merge_window_minutes: Mapped[int | None] = mapped_column(Integer)


class RegionQuietHoursRecord(Base):
    __tablename__ = "region_quiet_hours"

    region_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    quiet_from: Mapped[str] = mapped_column(String(5))
    quiet_until: Mapped[str] = mapped_column(String(5))


class RoutedAlertRecord(Base):
    """Why a partner was alerted: the rule, the merge key, escalation and digest state.
    ``id`` is the alert's id, or the digest item's while it waits for its digest."""

    __tablename__ = "routed_alerts"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    partner_id: Mapped[str] = mapped_column(String(36), index=True)
    event_id: Mapped[str] = mapped_column(String(36))
    event_type: Mapped[str] = mapped_column(String(100))
    rule: Mapped[str] = mapped_column(String(60), index=True)
    reason: Mapped[str] = mapped_column(String(30))
    subject: Mapped[str] = mapped_column(String(100))
    region_code: Mapped[str] = mapped_column(String(12))
    merge_key: Mapped[str] = mapped_column(Text, index=True)
    urgent: Mapped[bool] = mapped_column(Boolean)
    delivery: Mapped[str] = mapped_column(String(20))
    repeats: Mapped[int] = mapped_column(Integer, default=0)
    merged_event_ids: Mapped[list[str]] = mapped_column(JSON)
    escalate_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    escalated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    escalation_of: Mapped[str | None] = mapped_column(String(36))
    # The event, kept until escalation decides, to tell the next level what it concerns.
    escalation_event: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class DigestItemRecord(Base):
    """A non-urgent alert's data, waiting for its partner's daily digest."""

    __tablename__ = "digest_items"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    partner_id: Mapped[str] = mapped_column(String(36), index=True)
    event_type: Mapped[str] = mapped_column(String(100))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    digest_alert_id: Mapped[str | None] = mapped_column(String(36), index=True)


class SharingLedgerRecord(Base):
    """Who received which fields about whom, under which agreement and consent, or
    under which statutory ground instead of a consent (PIPL art. 23 asks that a person
    can learn this)."""

    __tablename__ = "sharing_ledger"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[str] = mapped_column(String(36), index=True)
    partner_id: Mapped[str] = mapped_column(String(36), index=True)
    alert_id: Mapped[str] = mapped_column(String(36), index=True)
    event_id: Mapped[str] = mapped_column(String(36))
    event_type: Mapped[str] = mapped_column(String(100))
    rule: Mapped[str] = mapped_column(String(60))
    fields_shared: Mapped[list[str]] = mapped_column(JSON)
    fields_withheld: Mapped[list[str]] = mapped_column(JSON)
    withheld_because: Mapped[str | None] = mapped_column(String(40))
    agreement_id: Mapped[str | None] = mapped_column(String(36))
    consent_id: Mapped[str | None] = mapped_column(String(36))
    statutory_ground: Mapped[str | None] = mapped_column(String(60))
    shared_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
