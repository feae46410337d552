"""What intake's API returns about people: identifiers masked unless revealed."""

from datetime import date, datetime
from uuid import UUID

from pydantic import BaseModel, Field

from wushe.intake.adapters.orm import GroupMembershipRecord, PersonChangeRecord, PersonRecord
from wushe.intake.adapters.personal_data import PersonalDataVault
from wushe.intake.domain.profiles import PersonProfiles


class PersonView(BaseModel):
    person_id: UUID
    full_name: str
    id_number_masked: str | None
    id_number: str | None = None
    birth_date: date | None
    sex: str | None
    phone_masked: str | None
    phone: str | None = None
    has_address: bool
    address: str | None = None
    residence_region: str
    household_region: str | None
    station_region: str
    groups: list[str]
    profile_kinds: list[str]
    profiles: PersonProfiles | None = None
    status: str
    deceased_on: date | None
    merged_into: UUID | None = None
    registered_on: date | None
    registered_at: datetime

    @classmethod
    def of(cls, record: PersonRecord, vault: PersonalDataVault) -> "PersonView":
        profiles = vault.profiles(record) if record.profiles_encrypted else PersonProfiles()
        return cls(
            person_id=UUID(record.id),
            full_name=vault.full_name(record),
            id_number_masked=record.id_number_masked,
            birth_date=record.birth_date,
            sex=record.sex,
            phone_masked=record.phone_masked,
            has_address=record.address_encrypted is not None,
            residence_region=record.residence_region,
            household_region=record.household_region,
            station_region=record.station_region,
            groups=record.groups,
            profile_kinds=sorted(profiles.model_dump(exclude_none=True)),
            status=record.status,
            deceased_on=record.deceased_on,
            merged_into=UUID(record.merged_into) if record.merged_into else None,
            registered_on=record.registered_on,
            registered_at=record.registered_at,
        )


class MembershipView(BaseModel):
    group: str
    since: date
    until: date | None
    reason: str | None
    end_reason: str | None

    @classmethod
    def of(cls, row: GroupMembershipRecord) -> "MembershipView":
        return cls(
            group=row.group,
            since=row.since,
            until=row.until,
            reason=row.reason,
            end_reason=row.end_reason,
        )


class PersonDetail(PersonView):
    memberships: list[MembershipView] = []
    merged_person_ids: list[UUID] = Field(
        default_factory=list, description="Files merged into this one and not restored since"
    )


class PersonPage(BaseModel):
    items: list[PersonView]
    total: int
    limit: int
    offset: int


class ChangeView(BaseModel):
    person_id: UUID = Field(
        description="Whose file the line is in: this person's or a merged one's"
    )
    kind: str
    fields: list[str]
    detail: dict[str, str]
    reason: str | None
    changed_by: str
    changed_at: datetime
    event_id: str | None
    trace_id: str | None

    @classmethod
    def of(cls, row: PersonChangeRecord) -> "ChangeView":
        return cls(
            person_id=UUID(row.person_id),
            kind=row.kind,
            fields=row.fields,
            detail=row.detail,
            reason=row.reason,
            changed_by=row.changed_by,
            changed_at=row.changed_at,
            event_id=row.event_id,
            trace_id=row.trace_id,
        )


class ReadView(BaseModel):
    reader: str
    role: str
    fields: list[str]
    purpose: str
    read_at: datetime
    trace_id: str | None
