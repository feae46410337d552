"""Events charity publishes about funds and donations."""

from uuid import UUID

from pydantic import BaseModel, Field

from wushe.shared.events import topics
from wushe.shared.events.registry import registry
from wushe.shared.regions import RecordedRegionCode


@registry.register("fund.opened", version=1, topic=topics.CHARITY_FUND)
class FundOpened(BaseModel):
    """A charity fund was opened; its managers are partners in notify's registry."""

    fund_id: UUID
    fund_name: str
    region_code: RecordedRegionCode
    manager_partner_ids: list[UUID] = Field(default_factory=list)
    kind: str = Field("community", examples=["community", "campaign"])


@registry.register("donation.received", version=1, topic=topics.CHARITY_FUND)
class DonationReceived(BaseModel):
    """Money was received into a fund. Donor identity stays in charity."""

    donation_id: UUID
    fund_id: UUID
    amount_fen: int = Field(gt=0, description="Amount in fen (1/100 yuan), exact")
    channel: str = Field(examples=["cash", "bank_transfer", "online_campaign"])
    receipt_number: str
    restriction_kind: str | None = Field(None, examples=["person", "group", "project"])
    restriction_target: str | None = Field(None, description="Person id, group code or project")
    corrects: UUID | None = Field(None, description="The donation this one corrects")
    donor_contact_sealed: str | None = Field(
        None,
        description="The donor's email address or mobile number, sealed for notify with the "
        "field cipher under the context `partner_alert.donor_contact`, so that notify can "
        "thank the donor; only when the donor gave one and asked for no anonymity",
    )


@registry.register("donation.reversed", version=1, topic=topics.CHARITY_FUND)
class DonationReversed(BaseModel):
    """A donation was refunded, or reversed to be corrected by ``replaced_by``; its
    journal entry was undone by a reversing entry, never edited."""

    donation_id: UUID
    fund_id: UUID
    amount_fen: int = Field(gt=0)
    receipt_number: str
    reason: str = Field(examples=["refund", "correction"])
    replaced_by: UUID | None = Field(None, description="The correcting donation")


@registry.register("disbursement.requested", version=1, topic=topics.CHARITY_FUND)
class DisbursementRequested(BaseModel):
    """Money was asked for, for a person's ledger file or for a project; someone other
    than the requester approves or rejects it."""

    disbursement_id: UUID
    fund_id: UUID
    amount_fen: int = Field(gt=0)
    purpose: str
    person_id: UUID | None = None
    project_id: str | None = None
    restriction_kind: str | None = Field(None, examples=["person", "group", "project"])
    restriction_target: str | None = None


@registry.register("disbursement.approved", version=1, topic=topics.CHARITY_FUND)
class DisbursementApproved(BaseModel):
    disbursement_id: UUID
    fund_id: UUID
    amount_fen: int = Field(gt=0)


@registry.register("disbursement.rejected", version=1, topic=topics.CHARITY_FUND)
class DisbursementRejected(BaseModel):
    disbursement_id: UUID
    fund_id: UUID
    reason: str


@registry.register("disbursement.withdrawn", version=1, topic=topics.CHARITY_FUND)
class DisbursementWithdrawn(BaseModel):
    """The requester took back a request before anyone decided it; no money moved."""

    disbursement_id: UUID
    fund_id: UUID
    reason: str


class DisbursedFrom(BaseModel):
    donation_id: UUID
    amount_fen: int = Field(gt=0)


@registry.register("fund.disbursed", version=1, topic=topics.CHARITY_FUND)
class FundDisbursed(BaseModel):
    """Money left a fund for a person (the ledger puts it on the person's timeline) or a
    project; ``sources`` are the donations it came from."""

    fund_id: UUID
    disbursement_id: UUID
    amount_fen: int = Field(gt=0)
    purpose: str
    person_id: UUID | None = None
    project_id: str | None = None
    sources: list[DisbursedFrom] = Field(default_factory=list)


@registry.register("fund.balance_low", version=1, topic=topics.CHARITY_FUND)
class FundBalanceLow(BaseModel):
    """A fund's balance fell below the threshold its managers set."""

    fund_id: UUID
    balance_fen: int = Field(ge=0)
    threshold_fen: int = Field(gt=0)


@registry.register("fund.status_changed", version=1, topic=topics.CHARITY_FUND)
class FundStatusChanged(BaseModel):
    """A campaign was launched or closed."""

    fund_id: UUID
    status: str = Field(examples=["launched", "closed"])


@registry.register("online_donation.submitted", version=1, topic=topics.CHARITY_ONLINE_DONATION)
class OnlineDonationSubmitted(BaseModel):
    """An online fundraising platform (e.g. for 99公益日) reports a donation it collected
    for a fund; keyed by the platform's transaction. Recorded once per transaction, as an
    anonymous donation on the online_campaign channel."""

    platform: str = Field(min_length=1, max_length=40, examples=["tencent-gongyi"])
    transaction_id: str = Field(min_length=1, max_length=70)
    fund_id: UUID
    amount_fen: int = Field(gt=0, description="Amount in fen (1/100 yuan), exact")
    restriction_kind: str | None = Field(None, examples=["person", "group", "project"])
    restriction_target: str | None = None


@registry.register("online_donation.refused", version=1, topic=topics.CHARITY_FUND)
class OnlineDonationRefused(BaseModel):
    """A platform's donation could not be recorded (no such fund, a campaign not
    launched, a donation made outside the campaign's filed period, ...); the platform's
    transaction should be refunded or resubmitted."""

    platform: str
    transaction_id: str
    fund_id: UUID
    amount_fen: int
    field: str | None
    reason: str
