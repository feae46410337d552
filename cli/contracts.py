"""The generated AsyncAPI documents, written to and compared with the committed ones."""

import json
from pathlib import Path
from typing import Any

from wushe.shared.settings import SERVICE_NAMES


def generated_documents() -> dict[str, dict[str, Any]]:
    """Build each service's app (without starting it) and render its AsyncAPI document."""
    from importlib import import_module

    from wushe.shared.http import asyncapi_document
    from wushe.shared.settings import ServiceSettings

    documents = {}
    for service in SERVICE_NAMES:
        bootstrap = import_module(f"wushe.{service}.bootstrap")
        settings = ServiceSettings(
            service=service, database_url="sqlite+aiosqlite://", topic_prefix=""
        )
        app = bootstrap.create_app(settings)
        documents[service] = asyncapi_document(app.state.runtime)
    return documents


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write_asyncapi_documents(output_dir: Path) -> list[Path]:
    output_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for service, document in generated_documents().items():
        path = output_dir / f"{service}.json"
        path.write_text(render(document), encoding="utf-8")
        written.append(path)
    return written
