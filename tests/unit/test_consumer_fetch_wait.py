"""A service's own default fetch wait, and the environment variable overriding it."""

import pytest

from wushe.shared.settings import service_settings


def test_a_service_default_applies_when_the_variable_is_unset(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("WUSHE_CONSUMER_FETCH_MAX_WAIT_MS", raising=False)
    settings = service_settings("notify")
    assert settings.fetch_max_wait_ms(20) == 20
    assert settings.fetch_max_wait_ms() == 50


def test_the_variable_overrides_a_service_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WUSHE_CONSUMER_FETCH_MAX_WAIT_MS", "35")
    settings = service_settings("notify")
    assert settings.fetch_max_wait_ms(20) == 35
    assert settings.fetch_max_wait_ms() == 35
