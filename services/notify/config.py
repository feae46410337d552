"""Notify's delivery settings, from ``WUSHE_NOTIFY_*`` environment variables."""

from typing import Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class DeliverySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WUSHE_NOTIFY_", extra="ignore")

    max_attempts: int = Field(8, ge=1, description="Attempts before an alert is dead-lettered")
    backoff_base_seconds: float = Field(1.0, gt=0)
    backoff_cap_seconds: float = Field(900.0, gt=0)
    timeout_seconds: float = Field(10.0, gt=0, description="One webhook or SMTP call")
    lease_seconds: float = Field(
        60.0, gt=0, description="How long a leased alert waits before another worker retries it"
    )
    poll_seconds: float = Field(0.5, gt=0)
    batch_size: int = Field(50, ge=1, description="Most alerts leased in one round")
    # Also the webhook client's most open connections: every call in flight has its own.
    max_in_flight: int = Field(100, ge=1, description="Most calls waiting for an answer at once")

    rate_per_second: float = Field(50.0, gt=0, description="Deliveries per partner per second")
    rate_burst: float = Field(100.0, ge=1, description="Deliveries a partner may get at once")
    breaker_failures: int = Field(5, ge=1, description="Consecutive failures that open it")
    breaker_cool_down_seconds: float = Field(30.0, gt=0)

    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_from: str = "alerts@wushe.local"
    smtp_starttls: bool = False
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None

    @model_validator(mode="after")
    def _lease_outlasts_a_call(self) -> Self:
        # A lease running out while its call is still waiting would let another round send
        # the same alert a second time, concurrently.
        if self.lease_seconds <= self.timeout_seconds:
            raise ValueError(
                f"lease_seconds ({self.lease_seconds}) must exceed timeout_seconds "
                f"({self.timeout_seconds})"
            )
        return self
