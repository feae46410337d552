"""Partners (agencies and organisations) and what they subscribe to."""

from enum import StrEnum

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field

from wushe.shared.events.catalog import registry
from wushe.shared.regions import RegionCode


class PartnerKind(StrEnum):
    CIVIL_AFFAIRS_BUREAU = "civil_affairs_bureau"  # 民政局
    STATION = "station"  # 社工站
    POLICE = "police"
    COURT = "court"
    PROCURATORATE = "procuratorate"
    HEALTH_COMMISSION = "health_commission"
    WOMENS_FEDERATION = "womens_federation"  # 妇联
    DISABLED_PERSONS_FEDERATION = "disabled_persons_federation"  # 残联
    SOCIAL_ORGANISATION = "social_organisation"  # 社会组织
    VOLUNTEER_TEAM = "volunteer_team"  # 志愿服务队
    ELDERLY_CARE_INSTITUTION = "elderly_care_institution"  # 养老机构
    CHILD_PROTECTION_STATION = "child_protection_station"  # 未保站
    HOSPITAL = "hospital"  # 医院
    CHARITY_FUND_MANAGER = "charity_fund_manager"


class PartnerRegistration(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=100, examples=["鄂城区未成年人保护工作站"])
    kind: PartnerKind
    regions: list[RegionCode] = Field(min_length=1, description="Regions the partner covers")
    webhook_url: AnyHttpUrl = Field(examples=["https://partner.example/wushe/alerts"])


class SubscriptionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    event_type: str = Field(examples=["ledger.file_opened"])
    region_code: RegionCode = Field(description="Only events inside this region")

    def known_type(self) -> bool:
        return any(spec.type == self.event_type for spec in registry.specs())
