"""A need may ask for any service the texts list: the needs' vocabulary repeats the
services' (an event contract cannot extend an enum), so this keeps the two together."""

from wushe.shared.events.needs import NEED_KIND_NAMES, NeedKind
from wushe.shared.events.visits import SERVICE_KIND_NAMES, ServiceKind


def test_every_service_kind_is_a_need_kind_with_the_same_code() -> None:
    needs = {kind.name: kind.value for kind in NeedKind}
    for service in ServiceKind:
        assert needs.get(service.name) == service.value, service


def test_every_need_kind_has_its_official_name() -> None:
    assert set(NEED_KIND_NAMES) == {kind.value for kind in NeedKind}
    for service in ServiceKind:
        assert NEED_KIND_NAMES[service] == SERVICE_KIND_NAMES[service]
