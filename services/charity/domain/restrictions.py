"""Restricted money (earmarked for a person, a target group or a project) and the rule
that it is spent only for its purpose."""

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from wushe.shared.events.groups import TargetGroup


class RestrictionKind(StrEnum):
    PERSON = "person"
    GROUP = "group"
    PROJECT = "project"


ProjectId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]


class Restriction(BaseModel):
    """What a donation is earmarked for: a person id, a TargetGroup code or a project id."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    kind: RestrictionKind
    target: str = Field(min_length=1, max_length=64, examples=["child_orphan"])

    @field_validator("target")
    @classmethod
    def _target_fits_kind(cls, target: str, info: ValidationInfo) -> str:
        if info.data.get("kind") is RestrictionKind.GROUP and target not in set(TargetGroup):
            raise ValueError(f"{target!r} is not a target group code (服务对象类别)")
        return target


class Recipient(BaseModel):
    """Who receives a disbursement: a person's ledger file or a project."""

    person_id: str | None = None
    project_id: str | None = None
    person_groups: frozenset[str] = frozenset()


def purpose_refusal(restriction: Restriction | None, recipient: Recipient) -> str | None:
    """Why money under ``restriction`` may not go to ``recipient``; None when it may."""
    if restriction is None:
        return None
    if restriction.kind is RestrictionKind.PERSON:
        if recipient.person_id != restriction.target:
            return "money earmarked for one person may go only to that person (定向个人)"
    elif restriction.kind is RestrictionKind.GROUP:
        if recipient.person_id is None or restriction.target not in recipient.person_groups:
            return (
                f"money earmarked for the group {restriction.target} may go only to a person "
                "in that group (定向群体)"
            )
    elif recipient.project_id != restriction.target:
        return "money earmarked for a project may go only to that project (定向项目)"
    return None
