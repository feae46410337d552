"""Disbursements as requested: to a person's ledger file or to a project, from the
fund's unrestricted money or from money under one restriction."""

from enum import StrEnum
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from wushe.charity.domain.donation import MAX_SINGLE_DONATION_FEN
from wushe.charity.domain.restrictions import ProjectId, Restriction


class DisbursementStatus(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class DisbursementRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    amount_fen: int = Field(gt=0, le=MAX_SINGLE_DONATION_FEN, description="Amount in fen (分)")
    purpose: str = Field(min_length=1, max_length=200, examples=["医疗救助"])
    person_id: UUID | None = Field(None, description="A person with a ledger file")
    project_id: ProjectId | None = Field(None, examples=["xingfu-jiayuan-017"])
    restriction: Restriction | None = Field(
        None, description="Which earmarked money pays; none: the fund's unrestricted money"
    )

    @model_validator(mode="after")
    def _one_recipient(self) -> "DisbursementRequest":
        if (self.person_id is None) == (self.project_id is None):
            raise ValueError("give either person_id or project_id (拨付对象：个人或项目，二选一)")
        return self


class Rejection(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: str = Field(min_length=1, max_length=200, examples=["材料不全"])


class Withdrawal(BaseModel):
    """The requester takes back a request not yet decided (撤回申请)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: str = Field(min_length=1, max_length=200, examples=["金额填错，重新申请"])
