"""Topic names: one stream per aggregate, keyed by the aggregate id."""

PERSON = "intake.person"
LEDGER_FILE = "ledger.file"
CHARITY_FUND = "charity.fund"


def dead_letter(consumer_group: str) -> str:
    return f"dlt.{consumer_group}"
