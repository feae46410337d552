"""Bearer tokens (signed JWT: subject, role, region) and region-scoped access."""

from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated

import jwt
from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ValidationError

from wushe.shared.regions import RecordedRegionCode, covers
from wushe.shared.settings import Settings

ALGORITHM = "HS256"
ISSUER = "wushe"


class Role(StrEnum):
    ADMIN = "admin"
    STATION_STAFF = "station_staff"
    SOCIAL_WORKER = "social_worker"
    PARTNER = "partner"
    AUDITOR = "auditor"
    VOLUNTEER = "volunteer"


class Caller(BaseModel):
    subject: str
    role: Role
    region: RecordedRegionCode

    def may_access(self, region_code: str) -> bool:
        return covers(self.region, region_code)


def mint_token(settings: Settings, *, subject: str, role: Role, region: str) -> str:
    Caller(subject=subject, role=role, region=region)
    now = datetime.now(UTC)
    claims = {
        "sub": subject,
        "role": role.value,
        "region": region,
        "iss": ISSUER,
        "iat": now,
        "exp": now + timedelta(seconds=settings.jwt_ttl_seconds),
    }
    return jwt.encode(claims, settings.jwt_secret.get_secret_value(), algorithm=ALGORITHM)


def decode_token(settings: Settings, token: str) -> Caller:
    claims = jwt.decode(
        token,
        settings.jwt_secret.get_secret_value(),
        algorithms=[ALGORITHM],
        issuer=ISSUER,
        options={"require": ["sub", "exp", "iss"]},
    )
    return Caller(subject=claims["sub"], role=claims.get("role"), region=claims.get("region"))


_bearer = HTTPBearer(auto_error=False, description="JWT minted by `wushe token`")


def _unauthorized(reason: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED,
        detail=reason,
        headers={"WWW-Authenticate": 'Bearer realm="wushe"'},
    )


async def current_caller(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Caller:
    if credentials is None:
        raise _unauthorized("missing bearer token (Authorization: Bearer <token>)")
    settings: Settings = request.app.state.settings
    try:
        return decode_token(settings, credentials.credentials)
    except jwt.ExpiredSignatureError:
        raise _unauthorized("token expired; mint a new one with `wushe token`") from None
    except (jwt.InvalidTokenError, ValidationError) as error:
        raise _unauthorized(f"invalid token: {error}") from None


CurrentCaller = Annotated[Caller, Depends(current_caller)]


def require_region(caller: Caller, region_code: str, *, field: str = "region_code") -> None:
    """403 unless the caller's region covers ``region_code``."""
    if not caller.may_access(region_code):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail=f"{field} {region_code} is outside your region {caller.region}",
        )


def require_role(caller: Caller, *roles: Role) -> None:
    if caller.role not in roles:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail=f"role {caller.role.value} may not do this; needs one of "
            + ", ".join(role.value for role in roles),
        )
