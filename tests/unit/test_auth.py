import jwt
import pytest
from pydantic import ValidationError

from wushe.shared.auth import Role, decode_token, mint_token
from wushe.shared.settings import Settings

SETTINGS = Settings()


def test_minted_token_decodes_to_its_caller() -> None:
    caller = decode_token(SETTINGS, mint_token(SETTINGS, subject="a", role=Role.AUDITOR,
                                               region="420700"))  # fmt: skip
    assert (caller.subject, caller.role, caller.region) == ("a", Role.AUDITOR, "420700")
    assert caller.may_access("420704001") and not caller.may_access("420100")


def test_token_from_another_secret_is_refused() -> None:
    other = Settings(jwt_secret="x" * 40)
    token = mint_token(other, subject="a", role=Role.ADMIN, region="420700")
    with pytest.raises(jwt.InvalidSignatureError):
        decode_token(SETTINGS, token)


def test_expired_token_is_refused() -> None:
    token = mint_token(Settings(jwt_ttl_seconds=-1), subject="a", role=Role.ADMIN, region="420700")
    with pytest.raises(jwt.ExpiredSignatureError):
        decode_token(SETTINGS, token)


def test_token_for_a_bad_region_cannot_be_minted() -> None:
    with pytest.raises(ValidationError):
        mint_token(SETTINGS, subject="a", role=Role.ADMIN, region="99")


def test_production_refuses_placeholder_secrets() -> None:
    with pytest.raises(ValidationError, match="WUSHE_JWT_SECRET"):
        Settings(environment="production")
