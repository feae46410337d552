"""The README's event-flow diagram says what the code subscribes to and publishes."""

import importlib
import re
from collections import defaultdict
from pathlib import Path

from wushe.shared.events.catalog import registry
from wushe.shared.settings import SERVICE_NAMES, ServiceSettings

README = Path(__file__).resolve().parents[2] / "README.md"


def diagram() -> str:
    text = README.read_text(encoding="utf-8")
    return text.split("```mermaid", 1)[1].split("```", 1)[0]


def topic_nodes(chart: str) -> dict[str, str]:
    return dict(re.findall(r'^\s*(\w+)\{\{"([\w.]+)"\}\}', chart, re.MULTILINE))


def test_diagram_consumers_match_the_subscriptions() -> None:
    chart = diagram()
    topics = topic_nodes(chart)
    drawn: dict[str, set[str]] = defaultdict(set)
    for node, service in re.findall(r"^\s*(\w+) --> (\w+)Consumer$", chart, re.MULTILINE):
        drawn[service].add(topics[node])
    actual: dict[str, set[str]] = {}
    for service in SERVICE_NAMES:
        bootstrap = importlib.import_module(f"wushe.{service}.bootstrap")
        settings = ServiceSettings(service=service, database_url="sqlite+aiosqlite://")
        consumes = set(bootstrap.create_app(settings).state.runtime.consumes)
        if consumes:
            actual[service] = consumes
    assert dict(drawn) == actual


def test_diagram_publications_match_the_event_registry() -> None:
    chart = diagram()
    topics = topic_nodes(chart)
    drawn: dict[str, set[str]] = defaultdict(set)
    for _service, types, node in re.findall(
        r'^\s*(\w+)Relay -->\|"([^"]+)"\| (\w+)$', chart, re.MULTILINE
    ):
        drawn[topics[node]] |= {name.strip() for name in types.split(",")}
    actual: dict[str, set[str]] = defaultdict(set)
    for spec in registry.specs():
        actual[spec.topic].add(spec.type)
    assert dict(drawn) == dict(actual)
