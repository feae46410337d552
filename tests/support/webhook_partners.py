"""Partners registered with notify through the running stack, each with a real webhook
receiver keeping every body it is sent."""

from support.infrastructure import free_port
from support.running_stack import RunningStack
from wushe.cli.demo_receiver import ReceivedAlerts, start_receiver


def partner_with_receiver(
    stack: RunningStack, name: str, kind: str, region: str
) -> tuple[str, ReceivedAlerts]:
    """Registers a partner of `kind` in `region` whose webhook is a fresh local receiver."""
    store = ReceivedAlerts()
    port = free_port()
    start_receiver(port, store)
    created = stack.post(
        "notify",
        "/partners",
        {
            "name": name,
            "kind": kind,
            "regions": [region],
            "webhook_url": f"http://127.0.0.1:{port}/hooks",
        },
    )
    store.secret = created["webhook_secret"]
    return created["partner_id"], store
