"""What a clerk sends to merge two files of one person, to undo a merge, or to dismiss
a pair that is not one person; and what a merge carries over to the surviving file."""

from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from wushe.intake.domain.changes import Reason
from wushe.intake.domain.group_profiles import groups_allowing
from wushe.intake.domain.profiles import PersonProfiles
from wushe.shared.events.groups import TargetGroup


class _Decision(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class MergeRequest(_Decision):
    """Merge ``duplicate_id`` (or the other person of ``candidate_id``) into this person."""

    duplicate_id: UUID | None = Field(None, description="The file to close into this one")
    candidate_id: UUID | None = Field(None, description="A likely-duplicate pair to confirm")
    reason: Reason = Field(examples=["入户核实为同一人"])

    @model_validator(mode="after")
    def _names_the_duplicate(self) -> "MergeRequest":
        if self.duplicate_id is None and self.candidate_id is None:
            raise ValueError("give duplicate_id or candidate_id (须指明被合并的档案)")
        return self


class MergeUndo(_Decision):
    reason: Reason = Field(examples=["经核实并非同一人"])


class Dismissal(_Decision):
    reason: Reason = Field(examples=["同名同生日，经核实为两人"])


def profile_kinds(profiles: PersonProfiles) -> set[str]:
    return {name for name in PersonProfiles.model_fields if getattr(profiles, name) is not None}


def allowed_kinds(groups: list[str]) -> set[str]:
    """The profile kinds that some of these groups make sense for."""
    members = {TargetGroup(group) for group in groups}
    return {name for name in PersonProfiles.model_fields if members & groups_allowing(name)}


def with_kinds(target: PersonProfiles, source: PersonProfiles, kinds: set[str]) -> PersonProfiles:
    return target.model_copy(update={kind: getattr(source, kind) for kind in kinds})


def without_kinds(profiles: PersonProfiles, kinds: set[str]) -> PersonProfiles:
    return profiles.model_copy(update=dict.fromkeys(kinds))
