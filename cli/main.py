"""`wushe`: run the platform (`up`, `serve`, `broker`) and operate it (`token`, `trace`)."""

import asyncio
import json
import signal
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from wushe.cli.charity_reconcile import charity_app
from wushe.cli.key_rotation import register as register_key_rotation
from wushe.shared.auth import Role, mint_token

if TYPE_CHECKING:
    from wushe.cli.stack import Stack
from wushe.shared.settings import SERVICE_NAMES, SERVICE_PORTS, get_settings, service_settings

app = typer.Typer(help="Wushe (五社): community social-work platform.", no_args_is_help=True)
console = Console()

DEMO_RECEIVER_PORT = 8009


@app.command()
def token(
    role: Annotated[Role, typer.Option(help="Role the token grants")] = Role.ADMIN,
    region: Annotated[str, typer.Option(help="Division code the token is scoped to")] = "",
    subject: Annotated[str, typer.Option(help="Who the token is for")] = "admin@local",
) -> None:
    """Mint a bearer token signed with this deployment's secret."""
    settings = get_settings()
    print(mint_token(settings, subject=subject, role=role, region=region or settings.region_code))


@app.command("import")
def import_file(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help=".xlsx or .csv ledger")],
    url: Annotated[str, typer.Option(help="Intake's address")] = "",
    token: Annotated[str, typer.Option(envvar="WUSHE_TOKEN", help="Bearer token")] = "",
) -> None:
    """Import a station ledger into intake, with progress; refused rows come back as an
    .xlsx beside the file, with the reasons in a last column."""
    from wushe.cli.ledger_import import import_ledger

    settings = get_settings()
    url = url or f"http://127.0.0.1:{SERVICE_PORTS['intake']}"
    token = token or mint_token(settings, subject="import@local", role=Role.STATION_STAFF,
                                region=settings.region_code)  # fmt: skip
    try:
        outcome = import_ledger(file, url, token, console)
    except (RuntimeError, OSError) as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from None
    job = outcome.job
    console.print(
        f"{job['status']}: {job['accepted']} registered, {job['already_present']} already "
        f"present, {job['rejected']} rejected"
    )
    if job.get("error"):
        console.print(f"[red]{job['error']}[/red]")
    if outcome.rejected_file:
        console.print(f"rejected rows, with reasons: {outcome.rejected_file}")
    if job["status"] != "done":
        raise typer.Exit(1)


@app.command()
def template(
    kind: Annotated[
        str,
        typer.Argument(
            help="general, elderly, child, disabled, mental_health, homeless or assistance"
        ),
    ] = "general",
    output: Annotated[Path | None, typer.Option("-o", help="Where to write it")] = None,
) -> None:
    """Write an .xlsx ledger template with an example row and notes on every column."""
    from wushe.intake.adapters.spreadsheets import template_workbook
    from wushe.intake.domain.ledger_templates import KINDS
    from wushe.intake.domain.ledger_templates import template as ledger_template

    if kind not in KINDS:
        console.print(f"[red]no template {kind!r}; choose one of {', '.join(KINDS)}[/red]")
        raise typer.Exit(1)
    target = output or Path(f"服务对象台账模板-{kind}.xlsx")
    target.write_bytes(template_workbook(kind, *ledger_template(kind)))
    console.print(f"wrote {target}")


@app.command()
def trace(trace_id: Annotated[str, typer.Argument(help="32-hex trace id")]) -> None:
    """Print one trace as a tree: service, span, duration."""
    from wushe.shared.trace_view import build_tree, load_trace

    path = get_settings().span_file
    spans = load_trace(path, trace_id.lower())
    if not spans:
        console.print(f"no spans for trace {trace_id} in {path}")
        raise typer.Exit(1)
    console.print(build_tree(spans, trace_id.lower()))


@app.command()
def serve(
    service: Annotated[str, typer.Argument(help="intake, ledger, charity or notify")],
    host: str = "127.0.0.1",
    port: int = 8000,
) -> None:
    """Run one service (migrations first, then its API and consumers)."""
    import uvicorn

    service_settings(service)
    uvicorn.run(
        f"wushe.{service}.bootstrap:create_app",
        factory=True,
        host=host,
        port=port,
        log_config=None,
        access_log=False,
    )


@app.command()
def broker(port: int = 9092) -> None:
    """Run the embedded Kafka-compatible broker in the foreground."""
    from wushe.cli.embedded_broker import start_broker

    process = start_broker(port=port)
    console.print(f"embedded broker on 127.0.0.1:{port} (Ctrl-C stops it)")
    try:
        process.wait()
    except KeyboardInterrupt:
        process.terminate()
        process.wait()


@app.command()
def asyncapi(
    output_dir: Annotated[Path, typer.Option(help="Where to write <service>.json")] = Path(
        "docs/asyncapi"
    ),
) -> None:
    """Write each service's generated AsyncAPI document (committed, checked in CI)."""
    from wushe.cli.contracts import write_asyncapi_documents

    for path in write_asyncapi_documents(output_dir):
        console.print(f"wrote {path}")


dead_letter_app = typer.Typer(help="Inspect and replay a consumer's dead letters.")
app.add_typer(dead_letter_app, name="dlt")


@dead_letter_app.command("list")
def dlt_list(consumer: Annotated[str, typer.Argument(help="ledger or notify")]) -> None:
    """Show the dead letters of one consumer: where they came from and why they failed."""
    from wushe.cli.dead_letters import list_dead_letters
    from wushe.shared.events.topics import dead_letter

    settings = get_settings()
    topic = settings.topic(dead_letter(consumer))
    letters = asyncio.run(list_dead_letters(settings.kafka_bootstrap_servers, topic))
    table = Table(title=f"{topic}: {len(letters)} dead letters")
    for column in ("offset", "key", "event type", "from", "error"):
        table.add_column(column)
    for letter in letters:
        table.add_row(str(letter.offset), letter.key, letter.event_type, letter.original,
                      f"{letter.error_type}: {letter.error[:200]}")  # fmt: skip
    console.print(table)


@dead_letter_app.command("replay")
def dlt_replay(consumer: Annotated[str, typer.Argument(help="ledger or notify")]) -> None:
    """Republish a consumer's dead letters to their original topics (each once)."""
    from wushe.cli.dead_letters import replay_dead_letters
    from wushe.shared.events.topics import dead_letter

    settings = get_settings()
    topic = settings.topic(dead_letter(consumer))
    group = settings.topic(f"dlt-replay.{consumer}")
    count = asyncio.run(replay_dead_letters(settings.kafka_bootstrap_servers, topic, group))
    console.print(f"replayed {count} dead letters from {topic}")


register_key_rotation(app, lambda: console)

intake_app = typer.Typer(help="Operate intake's database.")
app.add_typer(intake_app, name="intake")


@intake_app.command("rotate-keys")
def intake_rotate_keys(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only count the values under each key id")
    ] = False,
    batch_size: Annotated[int, typer.Option(min=1, help="Rows per transaction")] = 1000,
    left_behind_csv: Annotated[
        Path | None,
        typer.Option(dir_okay=False, help="Write every value that could not be re-encrypted here"),
    ] = None,
) -> None:
    """Re-encrypt intake's personal data under the current key (WUSHE_ENCRYPTION_KEY_ID).

    Values under other configured keys are re-encrypted; values under keys that are not
    configured are listed and left as they are, and the exit status is then 1."""
    from wushe.cli.key_rotation import CannotRotate, run_key_rotation

    try:
        report = run_key_rotation(
            console, dry_run=dry_run, batch_size=batch_size, left_behind_csv=left_behind_csv
        )
    except CannotRotate as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from None
    if not report.complete:
        raise typer.Exit(1)


app.add_typer(charity_app, name="charity")

ledger_app = typer.Typer(help="Operate the ledger's projection.")
app.add_typer(ledger_app, name="ledger")


@ledger_app.command("rebuild")
def ledger_rebuild(
    into: Annotated[
        str,
        typer.Option(help="Database URL to rebuild into; default a new SQLite file beside "
                     "the ledger's database, named for the time"),
    ] = "",
    compare: Annotated[
        bool,
        typer.Option("--compare", help="Compare the result with the ledger's current database"),
    ] = False,
    batch_size: Annotated[int, typer.Option(min=1, help="Events per transaction")] = 500,
) -> None:  # fmt: skip
    """Replay intake.person and ledger.file from the start into a fresh database.

    Point LEDGER_DATABASE_URL at the result and restart the ledger to use it. The exit
    status is 1 when an event could not be applied or --compare finds a difference."""
    from wushe.cli.ledger_rebuild import (
        compare_with_current,
        default_target,
        print_summary,
        run_rebuild,
    )

    settings = service_settings("ledger")
    target = into or default_target(settings)
    summary = run_rebuild(settings, target, batch_size, console)
    print_summary(summary, target, console)
    same = compare_with_current(settings, target, console) if compare else True
    if summary.failed or not same:
        raise typer.Exit(1)


@app.command()
def up(
    seed_demo: Annotated[bool, typer.Option(help="Seed a demo partner and receiver")] = True,
) -> None:
    """Start the broker, the four services and a demo partner; Ctrl-C stops everything."""
    from wushe.cli.demo import demo_fund_id, seed_demo_partner
    from wushe.cli.demo_receiver import ReceivedAlerts, print_alert, start_receiver
    from wushe.cli.stack import Stack

    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    stack = Stack(settings, log_dir=settings.data_dir / "logs")
    started = time.monotonic()
    # Also when started from a script that ignores SIGINT, Ctrl-C and SIGTERM stop everything.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        # Each service creates the topics it uses when it starts.
        bootstrap = stack.start_broker_if_embedded()
        stack.start_services({"KAFKA_BOOTSTRAP_SERVERS": bootstrap})
        console.print("starting services (logs in data/logs/) …")
        stack.wait_ready()
        admin = mint_token(settings, subject="admin@local", role=Role.ADMIN,
                           region=settings.region_code)  # fmt: skip
        if seed_demo:
            store = ReceivedAlerts()
            start_receiver(DEMO_RECEIVER_PORT, store, print_alert)
            receiver = f"http://127.0.0.1:{DEMO_RECEIVER_PORT}/alerts"
            _, secret = seed_demo_partner(stack.url("notify"), stack.url("charity"), admin,
                                          receiver, settings.region_code)  # fmt: skip
            secret_file = settings.data_dir / "demo-partner-secret"
            if secret:
                secret_file.write_text(secret)
            store.secret = secret or (secret_file.read_text() if secret_file.exists() else None)
        fund_id = demo_fund_id(stack.url("charity"), admin) if seed_demo else None
        _print_welcome(stack, admin, bootstrap, time.monotonic() - started, fund_id)
        while all(p.poll() is None for p in stack.processes.values()):
            time.sleep(0.5)
        console.print("[red]a process exited; stopping everything (see data/logs/)[/red]")
    except KeyboardInterrupt:
        console.print("\nstopping …")
    finally:
        stack.stop_all()


def _stop_on_sigterm(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def _print_welcome(
    stack: "Stack", admin: str, bootstrap: str, seconds: float, fund_id: str | None
) -> None:
    table = Table(title=f"Wushe is up in {seconds:.1f} s (broker {bootstrap})", width=110)
    table.add_column("service")
    table.add_column("API")
    table.add_column("OpenAPI docs")
    table.add_column("AsyncAPI docs")
    for service in SERVICE_NAMES:
        url = stack.url(service)
        table.add_row(service, url, f"{url}/docs", f"{url}/asyncapi")
    console.print(table)
    console.print(f"[bold]admin token[/bold] (region {get_settings().region_code}):")
    print(admin, end="\n\n", flush=True)
    example = {"full_name": "张秀英", "birth_date": "1950-03-12", "residence_region": "420704",
               "household_region": "420704", "groups": ["elderly_living_alone"]}  # fmt: skip
    print(
        "Register someone and watch the demo partner's alert arrive here:\n"
        f"  export TOKEN={admin}\n"
        f'  curl -s -X POST {stack.url("intake")}/persons -H "Authorization: Bearer $TOKEN" '
        f"-H 'content-type: application/json' -d '{json.dumps(example, ensure_ascii=False)}'\n"
        "Then follow it across the services: .venv/bin/wushe trace <trace_id from the response>",
        flush=True,
    )
    if fund_id:
        donation = {"amount_fen": 10000, "channel": "cash", "donor_name": "李四"}
        print(
            "Donate 100.00 yuan (amounts are integer fen) to the demo fund:\n"
            f"  curl -s -X POST {stack.url('charity')}/funds/{fund_id}/donations "
            f"-H \"Authorization: Bearer $TOKEN\" -H 'content-type: application/json' "
            f"-d '{json.dumps(donation, ensure_ascii=False)}'",
            flush=True,
        )
    print(
        "Ctrl-C stops everything.",
        flush=True,
    )


if __name__ == "__main__":
    app()
