"""Data-sharing agreements (数据共享协议): which of an event's personal fields a partner
may receive, for which purpose, and for how long, and the statutory ground, if any, under
which they go without consent (``statutory.py``). Without one, none."""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from wushe.shared.events.catalog import registry
from wushe.shared.events.consent import ProcessingPurpose
from wushe.shared.events.referrals import StatutoryGround

FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class AgreementRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reference: str = Field(
        min_length=1, max_length=100, description="The signed agreement's number",
        examples=["鄂民〔2026〕12号"],
    )  # fmt: skip
    purpose: ProcessingPurpose = Field(
        ProcessingPurpose.DATA_SHARING_WITH_PARTNERS,
        description="The purpose a person's consent must cover for the fields to be sent",
    )
    event_types: list[str] = Field(min_length=1, examples=[["crisis.reported"]])
    fields: list[str] = Field(
        min_length=1, description="Personal fields the partner may receive",
        examples=[["person_id", "full_name", "address"]],
    )  # fmt: skip
    valid_from: date
    valid_until: date | None = Field(None, description="Last day it applies; none: open-ended")
    statutory_ground: StatutoryGround | None = Field(
        None,
        description="The fields are shared under this ground, without the person's consent, "
        "for the partner kinds and alerts the ground covers (docs/notify-sharing.md)",
    )
    statutory_note: str | None = Field(
        None, min_length=1, max_length=500, validate_default=True,
        description="The provision the ground rests on; required with statutory_ground",
        examples=["《中华人民共和国未成年人保护法》第十一条 强制报告"],
    )  # fmt: skip

    @field_validator("event_types")
    @classmethod
    def _known_types(cls, value: list[str]) -> list[str]:
        known = {spec.type for spec in registry.specs()}
        unknown = [event_type for event_type in value if event_type not in known]
        if unknown:
            raise ValueError(f"unknown event types {unknown}")
        return value

    @field_validator("fields")
    @classmethod
    def _field_names(cls, value: list[str]) -> list[str]:
        bad = [name for name in value if not FIELD_NAME.match(name)]
        if bad:
            raise ValueError(f"field names are lower-case identifiers, not {bad}")
        return value

    @field_validator("statutory_note")
    @classmethod
    def _note_with_ground(cls, value: str | None, info: ValidationInfo) -> str | None:
        ground = info.data.get("statutory_ground")
        if ground is not None and value is None:
            raise ValueError("a statutory ground needs the provision it cites")
        if ground is None and value is not None and "statutory_ground" in info.data:
            raise ValueError("given without a statutory_ground")
        return value

    @model_validator(mode="after")
    def _valid_period(self) -> Self:
        if self.valid_until is not None and self.valid_until < self.valid_from:
            raise ValueError("valid_until is before valid_from")
        return self


@dataclass(frozen=True)
class Agreement:
    agreement_id: str
    purpose: ProcessingPurpose
    event_types: frozenset[str]
    fields: frozenset[str]
    valid_from: date
    valid_until: date | None
    # Shared without consent under this ground, where the ground reaches (domain.statutory).
    statutory_ground: StatutoryGround | None = None

    def applies(self, event_type: str, day: date) -> bool:
        in_force = self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)
        return in_force and event_type in self.event_types


def governing_agreement(
    agreements: Iterable[Agreement], event_type: str, day: date, offered: frozenset[str]
) -> Agreement | None:
    """The agreement in force that lets the partner see most of the ``offered`` fields.
    One agreement governs an alert, so the ledger can say under which it was shared."""
    applicable = [a for a in agreements if a.applies(event_type, day)]
    if not applicable:
        return None
    return max(applicable, key=lambda a: (len(a.fields & offered), a.agreement_id))
