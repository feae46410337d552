"""Donors who gave a contact are thanked once per donation, on SQLite and PostgreSQL:
charity seals the contact for notify in ``donation.received`` (not for an anonymous
donor, nor one who declined, nor a correction); notify owes one thank-you per donation
however often the event arrives, holds it through the region's quiet hours, and sends it
by email (to a local SMTP server) or by text. Each message names only its own donation;
the fund managers' alert never carries the contact. The fund's managers follow the
thank-yous of their region through notify's API, which never shows the contact."""

import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any, cast

import httpx
import pytest
from aiokafka import ConsumerRecord
from aiosmtpd.smtp import SMTP, Envelope, Session
from sqlalchemy import select

from integration.charity_books import CLERK, a_fund, charity_books, emitted
from integration.conftest import MigratedDatabase, Sessions
from integration.in_process_api import serving
from integration.notify_routing_support import MIGRATIONS
from support.local_smtp import serving_smtp
from wushe.charity.domain.donation import Channel, DonationEntry, DonorEntry
from wushe.charity.service_layer.donations import record_donation
from wushe.notify.adapters.email import SmtpServer
from wushe.notify.adapters.orm import AlertRecord, PartnerRecord
from wushe.notify.adapters.sharing_orm import RegionQuietHoursRecord
from wushe.notify.adapters.thank_you_channels import ThankYouChannels
from wushe.notify.adapters.thanks_orm import DonorThanksRecord
from wushe.notify.domain.backoff import MAX_ATTEMPTS
from wushe.notify.entrypoints.events import register_handlers
from wushe.notify.entrypoints.thanks import router as thanks_router
from wushe.notify.service_layer.donor_thanks import CONTACT_COLUMN, ThanksSender
from wushe.notify.service_layer.routing import Router
from wushe.shared.auth import Role, mint_token
from wushe.shared.batch_consumer import ConsumedEvent
from wushe.shared.dispatcher import EventDispatcher
from wushe.shared.events import EventEnvelope, Producer, new_event
from wushe.shared.events.charity import FundOpened
from wushe.shared.runtime import ServiceRuntime
from wushe.shared.settings import Settings
from wushe.shared.unit_of_work import UnitOfWork

CIPHER = Settings().field_cipher()
CHARITY = Producer(service="charity", deployment="test")
# 23:30 in China, inside the region's quiet hours; 07:30 the next morning, after them.
LATE_EVENING = datetime(2026, 11, 24, 15, 30, tzinfo=UTC)
NEXT_MORNING = LATE_EVENING + timedelta(hours=8)
DONORS = {
    "email": ("王五", "wangwu@example.cn"),
    "mobile": ("赵六", "139 1234 5678"),
    "anonymous": ("匿名人士", "secret@example.cn"),
    "declined": ("钱七", "qianqi@example.cn"),
}


class Mailbox:
    def __init__(self) -> None:
        self.accepted: list[Envelope] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.accepted.append(envelope)
        return "250 OK"


class Texts:
    """The SMS gateway's interface, keeping what it was handed."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str]] = []

    async def send_text(self, phone: str, text: str, reference: str) -> None:
        self.sent.append((phone, text, reference))


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    with serving_smtp(box) as port:
        yield box, port


class Clock:
    def __init__(self) -> None:
        self.moment = LATE_EVENING

    def __call__(self) -> datetime:
        return self.moment


class NotifyHandlers:
    """Notify's real event handlers, on a dispatcher over one database."""

    def __init__(self, sessions: Sessions, clock: Clock) -> None:
        self.sessions = sessions
        self.dispatcher = EventDispatcher("notify")
        register_handlers(cast(ServiceRuntime, self), Router(CIPHER, clock), lambda: None)

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self.sessions)


def consumed(event: EventEnvelope, offset: int) -> ConsumedEvent:
    value = event.model_dump_json().encode()
    record = ConsumerRecord(
        "charity.fund", 0, offset, 0, 0, None, value, None, 0, len(value), headers=[]
    )
    return ConsumedEvent(event, record)


async def donations(charity: Sessions) -> tuple[uuid.UUID, dict[str, EventEnvelope]]:
    """Donations from each donor, a second one from the first by id, and their events."""
    fund_id = await a_fund(charity)
    ids = {}
    for label, (name, contact) in DONORS.items():
        entry = DonationEntry(
            amount_fen=12_345 + len(ids), channel=Channel.CASH,
            donor=DonorEntry(name=name, contact=contact),
            anonymous=label == "anonymous", thank_you=label != "declined",
        )  # fmt: skip
        ids[label] = await record_donation(UnitOfWork(charity), fund_id, entry, CLERK)
    again = DonationEntry(amount_fen=50_000, channel=Channel.BANK_TRANSFER,
                          donor_id=uuid.UUID(cast(str, ids["email"].donor_id)))  # fmt: skip
    ids["again"] = await record_donation(UnitOfWork(charity), fund_id, again, CLERK)
    events = {e.payload["donation_id"]: e for e in await emitted(charity, "donation.received")}
    return fund_id, {label: events[donation.id] for label, donation in ids.items()}


async def test_each_donor_who_gave_a_contact_is_thanked_once_after_quiet_hours(
    migrated_database: MigratedDatabase, mailbox: tuple[Mailbox, int]
) -> None:
    charity = await charity_books(migrated_database)
    notify = await migrated_database("notify", MIGRATIONS)
    fund_id, received = await donations(charity)

    sealed = {label: event.payload["donor_contact_sealed"] for label, event in received.items()}
    assert sealed["anonymous"] is None and sealed["declined"] is None
    assert all(sealed[label] for label in ("email", "mobile", "again"))
    for event in received.values():
        body = event.model_dump_json()
        assert all(contact not in body and name not in body for name, contact in DONORS.values())

    clock = Clock()
    manager = str(uuid.uuid4())
    async with notify() as session, session.begin():
        session.add(RegionQuietHoursRecord(region_code="420704", quiet_from="22:00",
                                           quiet_until="07:00"))  # fmt: skip
        session.add(PartnerRecord(id=manager, name="基金管理人", kind="civil_affairs_bureau",
                                  regions=["420704"], webhook_url="http://127.0.0.1:9/hooks",
                                  created_at=LATE_EVENING))  # fmt: skip
    handlers = NotifyHandlers(notify, clock)
    opened = FundOpened(fund_id=fund_id, fund_name="鄂城区社区慈善基金", region_code="420704",
                        manager_partner_ids=[uuid.UUID(manager)])  # fmt: skip
    await handlers.dispatcher.dispatch(
        new_event(opened, subject=str(fund_id), region_code="420704", producer=CHARITY)
    )
    for event in received.values():
        await handlers.dispatcher.dispatch(event)
    # The same events again, as a redelivered batch: no second thank-you.
    await handlers.dispatcher.dispatch_batch(
        [consumed(event, n) for n, event in enumerate(received.values())]
    )

    box, port = mailbox
    texts = Texts()
    channels = ThankYouChannels(SmtpServer("127.0.0.1", port, "thanks@wushe.test", 5), texts)
    sender = ThanksSender(notify, channels, CIPHER, clock)
    assert await sender.send_due() == 0  # quiet hours
    clock.moment = NEXT_MORNING
    assert await sender.send_due() == 3
    assert await sender.send_due() == 0

    assert [envelope.rcpt_tos for envelope in box.accepted] == [["wangwu@example.cn"]] * 2
    receipts = {label: event.payload["receipt_number"] for label, event in received.items()}
    for envelope in box.accepted:
        message = message_from_bytes(cast(bytes, envelope.content), policy=default)
        text = cast(EmailMessage, message).get_content()
        shown = [label for label, receipt in receipts.items() if receipt in text]
        assert len(shown) == 1 and shown[0] in ("email", "again")
        assert all(name not in text for name, _ in DONORS.values())
    assert [(phone, reference) for phone, _, reference in texts.sent] == [
        ("139 1234 5678", received["mobile"].payload["donation_id"])
    ]
    assert receipts["mobile"] in texts.sent[0][1] and "123.46元" in texts.sent[0][1]

    async with notify() as session:
        thanks = (await session.scalars(select(DonorThanksRecord))).all()
        alerts = (await session.scalars(select(AlertRecord))).all()
    assert len(thanks) == 3 and all(t.status == "sent" and t.contact_sealed is None for t in thanks)
    assert len(alerts) == len(received)  # the fund manager's, one per donation
    for alert in alerts:
        assert "donor_contact" not in str(alert.body)


class RefusingGateway:
    """A gateway whose refusal quotes the number it refused, as carriers' errors do."""

    async def send_text(self, phone: str, text: str, reference: str) -> None:
        raise RuntimeError(f"number {phone} is not reachable")


async def test_a_thank_you_that_cannot_be_sent_keeps_no_contact(
    migrated_database: MigratedDatabase,
) -> None:
    notify = await migrated_database("notify", MIGRATIONS)
    phone = "13912345678"
    async with notify() as session, session.begin():
        session.add(
            DonorThanksRecord(
                donation_id=str(uuid.uuid4()), fund_id=str(uuid.uuid4()), region_code="420704",
                amount_fen=100, receipt_number="R-1", channel="sms",
                contact_sealed=CIPHER.encrypt(phone, CONTACT_COLUMN), status="pending",
                attempts=MAX_ATTEMPTS - 1, send_at=LATE_EVENING, last_error=None,
                sent_at=None, created_at=LATE_EVENING,
            )
        )  # fmt: skip
    channels = ThankYouChannels(SmtpServer("127.0.0.1", 9, "t@wushe.test", 5), RefusingGateway())
    assert await ThanksSender(notify, channels, CIPHER, Clock()).send_due() == 0

    async with notify() as session:
        thanks = (await session.scalars(select(DonorThanksRecord))).one()
    assert thanks.status == "dead" and thanks.contact_sealed is None
    assert thanks.last_error == "RuntimeError"


def owed(region_code: str, fund_id: str, status: str, created_at: datetime) -> DonorThanksRecord:
    return DonorThanksRecord(
        donation_id=str(uuid.uuid4()), fund_id=fund_id, region_code=region_code,
        amount_fen=5_000, receipt_number=f"R-{created_at:%H%M}", channel="email",
        contact_sealed=None if status != "pending" else CIPHER.encrypt("li@example.cn",
                                                                        CONTACT_COLUMN),
        status=status, attempts=1 if status == "sent" else 8, send_at=created_at,
        last_error="SMTPRecipientsRefused 550" if status == "dead" else None,
        sent_at=created_at if status == "sent" else None, created_at=created_at,
    )  # fmt: skip


@pytest.fixture
async def thanks_api(
    migrated_database: MigratedDatabase, tmp_path: Path
) -> AsyncIterator[tuple[httpx.AsyncClient, ServiceRuntime]]:
    notify = await migrated_database("notify", MIGRATIONS)
    async with serving("notify", MIGRATIONS, notify, (thanks_router,), tmp_path) as served:
        yield served


async def test_managers_follow_their_regions_thank_yous_without_the_contact(
    thanks_api: tuple[httpx.AsyncClient, ServiceRuntime],
) -> None:
    client, runtime = thanks_api
    fund, other_fund = str(uuid.uuid4()), str(uuid.uuid4())
    sent = owed("420704", fund, "sent", LATE_EVENING)
    dead = owed("420704", fund, "dead", LATE_EVENING + timedelta(minutes=1))
    waiting = owed("420704", other_fund, "pending", LATE_EVENING + timedelta(minutes=2))
    elsewhere = owed("420703", str(uuid.uuid4()), "sent", LATE_EVENING + timedelta(minutes=3))
    async with runtime.sessions() as session, session.begin():
        session.add_all([sent, dead, waiting, elsewhere])

    def as_(role: Role, region: str = "420704") -> dict[str, str]:
        token = mint_token(runtime.settings, subject="reader", role=role, region=region)
        return {"Authorization": f"Bearer {token}"}

    async def get(path: str, headers: dict[str, str], expect: int = 200, **query: str) -> Any:
        response = await client.get(path, headers=headers, params=query)
        assert response.status_code == expect, response.text
        return response.json()

    staff = as_(Role.STATION_STAFF)
    listed = await get("/thanks", staff)
    assert [t["donation_id"] for t in listed] == [
        waiting.donation_id,
        dead.donation_id,
        sent.donation_id,
    ]
    assert "li@example.cn" not in str(listed) and all("contact" not in str(t) for t in listed)
    [failed] = await get("/thanks", staff, status="dead")
    assert (failed["donation_id"], failed["last_error"]) == (dead.donation_id, dead.last_error)
    assert [t["status"] for t in await get("/thanks", staff, fund_id=fund)] == ["dead", "sent"]
    assert len(await get("/thanks", as_(Role.ADMIN, "420700"))) == 4
    one = await get(f"/thanks/{sent.donation_id}", as_(Role.AUDITOR))
    assert (one["receipt_number"], one["amount_fen"], one["status"]) == ("R-1530", 5_000, "sent")

    await get(f"/thanks/{elsewhere.donation_id}", staff, expect=403)
    await get(f"/thanks/{uuid.uuid4()}", staff, expect=404)
    await get("/thanks", as_(Role.PARTNER), expect=403)
    await get("/thanks", as_(Role.VOLUNTEER), expect=403)
    wrong = await get("/thanks", staff, expect=422, status="lost")
    assert wrong["detail"][0]["loc"] == ["query", "status"]
