"""Rotating a partner's webhook secret, with a grace period for the old one."""

from datetime import UTC, datetime, timedelta
from uuid import UUID

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, ConfigDict, Field

from wushe.notify.adapters.orm import PartnerRecord
from wushe.notify.domain.webhook_secrets import DEFAULT_GRACE, LONGEST_GRACE
from wushe.notify.service_layer.webhook_secrets import rotate_secret
from wushe.shared.auth import CurrentCaller, Role, require_role
from wushe.shared.http import RuntimeDep
from wushe.shared.write_gate import writing

router = APIRouter(tags=["partners"])


class SecretRotation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    grace_seconds: int = Field(
        int(DEFAULT_GRACE.total_seconds()),
        ge=0,
        le=int(LONGEST_GRACE.total_seconds()),
        description="How long the current secret keeps signing beside the new one",
    )


class RotatedSecret(BaseModel):
    partner_id: UUID
    webhook_secret: str = Field(description="Shown once; store it in your verifier")
    previous_valid_until: datetime


@router.post(
    "/partners/{partner_id}/webhook-secret/rotation",
    status_code=status.HTTP_201_CREATED,
    response_model=RotatedSecret,
)
async def rotate_webhook_secret(
    partner_id: UUID, rotation: SecretRotation, caller: CurrentCaller, runtime: RuntimeDep
) -> RotatedSecret:
    """A new signing secret; deliveries carry both signatures until the grace period ends."""
    require_role(caller, Role.ADMIN)
    now = datetime.now(UTC)
    async with writing(runtime.sessions) as session:
        partner = await session.get(PartnerRecord, str(partner_id), with_for_update=True)
        if partner is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no partner {partner_id}")
        if not any(caller.may_access(region) for region in partner.regions):
            raise HTTPException(status.HTTP_403_FORBIDDEN, detail="partner is outside your region")
        secret, old_valid_until = await rotate_secret(
            session,
            runtime.settings.field_cipher(),
            partner.id,
            now,
            timedelta(seconds=rotation.grace_seconds),
        )
    return RotatedSecret(
        partner_id=partner_id, webhook_secret=secret, previous_valid_until=old_valid_until
    )
