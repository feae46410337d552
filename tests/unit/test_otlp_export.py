"""With OTEL_EXPORTER_OTLP_ENDPOINT set, spans go to the collector over OTLP/HTTP."""

import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from wushe.shared.settings import Settings
from wushe.shared.telemetry import setup_tracing


def test_spans_are_posted_to_the_collector(tmp_path: Path) -> None:
    received: list[tuple[str, bytes]] = []

    class Collector(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["content-length"]))
            received.append((self.path, body))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            return None

    server = HTTPServer(("127.0.0.1", 0), Collector)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        endpoint = f"http://127.0.0.1:{server.server_port}"
        settings = Settings(otlp_endpoint=endpoint, data_dir=tmp_path)
        provider = setup_tracing("ledger", settings)
        with provider.get_tracer("test").start_as_current_span("open file"):
            pass
        assert provider.force_flush(5000)
    finally:
        server.shutdown()

    assert received and received[0][0] == "/v1/traces"
    request = ExportTraceServiceRequest.FromString(received[0][1])
    resource_spans = request.resource_spans[0]
    service = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
    assert service["service.name"] == "ledger"
    assert resource_spans.scope_spans[0].spans[0].name == "open file"
    assert not (tmp_path / "traces.jsonl").exists()
