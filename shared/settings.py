"""Configuration from environment variables, with embedded defaults when nothing is set."""

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

if TYPE_CHECKING:
    from wushe.shared.field_encryption import FieldCipher

DEVELOPMENT_SECRET = "wushe-development-secret-change-me-0000"
DEVELOPMENT_DATA_KEY = "wushe-development-data-key-change-me-0"

SERVICE_NAMES = ("intake", "ledger", "charity", "notify")
SERVICE_PORTS = {"intake": 8001, "ledger": 8002, "charity": 8003, "notify": 8004}
DEFAULT_FETCH_MAX_WAIT_MS = 50


class Settings(BaseSettings):
    """Settings shared by every service and the command line."""

    model_config = SettingsConfigDict(env_prefix="WUSHE_", extra="ignore", populate_by_name=True)

    environment: Literal["development", "test", "production"] = "development"
    deployment: str = Field("local", description="Name of this city deployment")
    region_code: str = Field("420700", description="Division code this deployment serves")
    data_dir: Path = Field(Path("data"), description="Where SQLite files and traces live")

    jwt_secret: SecretStr = SecretStr(DEVELOPMENT_SECRET)
    jwt_ttl_seconds: int = 12 * 3600
    data_key: SecretStr = Field(
        SecretStr(DEVELOPMENT_DATA_KEY), description="Key for keyed hashes of identifiers"
    )

    encryption_keys: SecretStr | None = Field(
        None,
        description="Field-encryption keys, 'id=<base64 32 bytes>,...'; development derives one",
    )
    encryption_key_id: str = Field("dev", description="Id of the key new values use")

    kafka_bootstrap_servers: str = Field(
        "127.0.0.1:9092",
        validation_alias=AliasChoices("KAFKA_BOOTSTRAP_SERVERS", "WUSHE_KAFKA_BOOTSTRAP_SERVERS"),
    )
    kafka_enable_idempotence: bool = Field(
        False,
        validation_alias=AliasChoices("KAFKA_ENABLE_IDEMPOTENCE", "WUSHE_KAFKA_ENABLE_IDEMPOTENCE"),
    )
    topic_prefix: str = Field("", description="Prefix for every topic, e.g. one per deployment")

    otlp_endpoint: str | None = Field(
        None,
        validation_alias=AliasChoices("OTEL_EXPORTER_OTLP_ENDPOINT", "WUSHE_OTLP_ENDPOINT"),
    )
    trace_file: Path | None = Field(None, description="Local span file; default data_dir")
    span_queue_size: int = Field(
        16_384,
        ge=1,
        description="Spans held for export; beyond it new spans are dropped. A batched "
        "consumer ends two or three spans per event, hundreds of events a poll",
    )

    outbox_poll_seconds: float = 1.0
    outbox_batch_size: int = 500
    outbox_retention_days: float = Field(
        7,
        ge=0,
        description="How long published outbox rows are kept, for inspection, before the "
        "relay deletes them; 0: kept for ever",
    )
    consumer_max_attempts: int = 3
    consumer_batch_size: int = Field(
        500, ge=1, description="Most events a batched consumer applies in one transaction"
    )
    consumer_outbox_limit: int = Field(
        5_000,
        ge=0,
        description="Unpublished outbox rows at which a batched consumer waits before "
        "applying its next poll, so that the relay keeps pace with what it emits; 0: never "
        "waits",
    )
    consumer_retry_backoff_seconds: float = 0.2
    consumer_fetch_max_wait_ms: int | None = Field(
        None,
        ge=1,
        description="How long a fetch waits for new messages; bounds idle latency. Unset: "
        f"the service's own default, else {DEFAULT_FETCH_MAX_WAIT_MS} ms",
    )
    consumer_trace_sql: bool = Field(
        False,
        description="A span per SQL statement inside a batched consumer's transactions too",
    )
    log_level: str = "INFO"

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> "Settings":
        if self.environment == "production":
            for name in ("jwt_secret", "data_key"):
                value = getattr(self, name).get_secret_value()
                if value in (DEVELOPMENT_SECRET, DEVELOPMENT_DATA_KEY) or len(value) < 32:
                    raise ValueError(
                        f"WUSHE_{name.upper()} must be set to a secret of 32+ characters "
                        "in production"
                    )
            if self.encryption_keys is None:
                raise ValueError(
                    "WUSHE_ENCRYPTION_KEYS must be set in production "
                    "('id=<base64 of 32 random bytes>'; see the README)"
                )
        return self

    def field_cipher(self) -> "FieldCipher":
        from wushe.shared.field_encryption import FieldCipher, derived_key, parse_keys

        if self.encryption_keys is None:
            return FieldCipher({"dev": derived_key(self.data_key.get_secret_value())}, "dev")
        keys = parse_keys(self.encryption_keys.get_secret_value())
        return FieldCipher(keys, self.encryption_key_id)

    @property
    def span_file(self) -> Path:
        return self.trace_file or self.data_dir / "traces.jsonl"

    def topic(self, name: str) -> str:
        return f"{self.topic_prefix}{name}"

    def fetch_max_wait_ms(self, service_default: int | None = None) -> int:
        """A consumer's fetch wait: ``consumer_fetch_max_wait_ms`` when it is set (its
        environment variable), else the service's own default when it has one."""
        if self.consumer_fetch_max_wait_ms is not None:
            return self.consumer_fetch_max_wait_ms
        return service_default if service_default is not None else DEFAULT_FETCH_MAX_WAIT_MS


class ServiceSettings(Settings):
    """Settings of one service process; its database URL is its own."""

    service: str = "intake"
    database_url: str | None = Field(None, validation_alias=AliasChoices("DATABASE_URL"))

    def resolved_database_url(self) -> str:
        import os

        own = os.environ.get(f"{self.service.upper()}_DATABASE_URL")
        if own:
            return own
        if self.database_url:
            return self.database_url
        path = (self.data_dir / f"{self.service}.db").resolve()
        return f"sqlite+aiosqlite:///{path}"


@lru_cache
def get_settings() -> Settings:
    return Settings()


def service_settings(service: str) -> ServiceSettings:
    if service not in SERVICE_NAMES:
        raise ValueError(f"unknown service {service!r}; expected one of {', '.join(SERVICE_NAMES)}")
    return ServiceSettings(service=service)
