"""Processing without consent, where the law allows it (PIPL art. 13)."""

from enum import StrEnum

from pydantic import Field

from wushe.intake.domain.validity import Validity
from wushe.shared.events.consent import ProcessingPurpose, RecipientKind


class LegalBasis(StrEnum):
    STATUTORY_DUTY = "statutory_duty"  # 履行法定职责或者法定义务所必需, art. 13(3)
    PUBLIC_HEALTH_EMERGENCY = "public_health_emergency"  # 应对突发公共卫生事件, art. 13(4)
    VITAL_INTERESTS = "vital_interests"  # 紧急情况下保护生命健康和财产安全, art. 13(4)
    OTHER_LAW = "other_law"  # 法律、行政法规规定的其他情形, art. 13(7)


class LegalBasisEntry(Validity):
    basis: LegalBasis
    law: str = Field(
        min_length=2, max_length=200, examples=["《中华人民共和国未成年人保护法》第十一条"],
        description="The law or regulation, and its article, that allows the processing",
    )  # fmt: skip
    purpose: ProcessingPurpose
    recipient_kind: RecipientKind = Field(description="Which kind of partner may receive it")
