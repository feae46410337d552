"""The kinds of agency and organisation that integrate with the platform (合作单位).

One vocabulary for the whole contract: notify registers partners by these kinds, and a
consent or a referral names the kind of partner it reaches with the same values.
"""

from enum import StrEnum


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


class RecipientKind(StrEnum):
    """The kinds of partner that may receive the data; ``any`` covers them all."""

    # Python enums cannot extend one another, and the type checker needs members it can
    # see; so each member takes its value from PartnerKind, and the check below keeps
    # the two from drifting apart.
    ANY = "any"
    CIVIL_AFFAIRS_BUREAU = PartnerKind.CIVIL_AFFAIRS_BUREAU.value
    STATION = PartnerKind.STATION.value
    POLICE = PartnerKind.POLICE.value
    COURT = PartnerKind.COURT.value
    PROCURATORATE = PartnerKind.PROCURATORATE.value
    HEALTH_COMMISSION = PartnerKind.HEALTH_COMMISSION.value
    WOMENS_FEDERATION = PartnerKind.WOMENS_FEDERATION.value
    DISABLED_PERSONS_FEDERATION = PartnerKind.DISABLED_PERSONS_FEDERATION.value
    SOCIAL_ORGANISATION = PartnerKind.SOCIAL_ORGANISATION.value
    VOLUNTEER_TEAM = PartnerKind.VOLUNTEER_TEAM.value
    ELDERLY_CARE_INSTITUTION = PartnerKind.ELDERLY_CARE_INSTITUTION.value
    CHILD_PROTECTION_STATION = PartnerKind.CHILD_PROTECTION_STATION.value
    HOSPITAL = PartnerKind.HOSPITAL.value


if {kind.value for kind in RecipientKind} != {"any", *(kind.value for kind in PartnerKind)}:
    raise RuntimeError("RecipientKind must be PartnerKind's values plus 'any'")
