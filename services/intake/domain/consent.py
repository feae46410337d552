"""A person's consent to a use of their data, and its withdrawal (PIPL art. 14-15).

A minor (under 18) consents through a guardian, and so does an adult without capacity;
the guardian's name is stored encrypted and never published.
"""

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from wushe.intake.domain.age_rules import ADULT_AGE, age_on
from wushe.intake.domain.changes import PastDate, Reason
from wushe.intake.domain.validity import Validity
from wushe.shared.events.consent import ProcessingPurpose, RecipientKind


class GivenBy(StrEnum):
    SELF = "self"  # 本人
    GUARDIAN = "guardian"  # 监护人


class ConsentGrant(Validity):
    """A consent as the station records it, with the evidence it was given."""

    purpose: ProcessingPurpose
    recipient_kind: RecipientKind = Field(description="Which kind of partner may receive it")
    given_by: GivenBy
    guardian_name: str | None = Field(
        None, min_length=1, max_length=50, validate_default=True, description="Stored encrypted"
    )
    guardian_relation: str | None = Field(
        None, min_length=1, max_length=20, validate_default=True, examples=["祖母"]
    )
    evidence: str = Field(
        min_length=2, max_length=200, examples=["知情同意书 编号 HC-2026-0412"],
        description="What shows the consent was given, e.g. the signed form's number",
    )  # fmt: skip

    @field_validator("guardian_name", "guardian_relation")
    @classmethod
    def _only_for_a_guardian(cls, value: str | None, info: ValidationInfo) -> str | None:
        given_by = info.data.get("given_by")
        if given_by is GivenBy.GUARDIAN and value is None:
            raise ValueError("required when a guardian gives the consent (监护人代为同意时必填)")
        if given_by is GivenBy.SELF and value is not None:
            raise ValueError(
                "only for consent given by a guardian; given_by is self "
                "(本人同意时不填写监护人信息)"
            )
        return value


class ConsentRevocation(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    revoked_on: PastDate = Field(default_factory=date.today)
    reason: Reason


def giver_violation(grant: ConsentGrant, birth_date: date | None, today: date) -> str | None:
    """Why the person may not consent for themself; None when they may, or age is unknown."""
    if grant.given_by is not GivenBy.SELF or birth_date is None:
        return None
    # The consent was given no later than it was recorded, nor (as a rule) than it starts.
    given_on = min(grant.valid_from, today)
    age = age_on(birth_date, given_on)
    if age >= ADULT_AGE:
        return None
    return (
        f"the person was {age} on {given_on.isoformat()}; a minor's consent is given by a "
        f"guardian (未满{ADULT_AGE}周岁者须由监护人代为同意)"
    )
