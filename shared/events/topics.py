"""Topic names: one stream per aggregate, keyed by the aggregate id."""

PERSON = "intake.person"
LEDGER_FILE = "ledger.file"
CHARITY_FUND = "charity.fund"
# Donations that online fundraising platforms submit, keyed by the platform's transaction.
CHARITY_ONLINE_DONATION = "charity.online_donation"
CHARITY_GOODS = "charity.goods"
CHARITY_NEED = "charity.need"
CHARITY_TIME_BANK = "charity.time_bank"
# Alerts notify sent about a person, keyed by the person.
NOTIFY_ALERT = "notify.alert"


def dead_letter(consumer_group: str) -> str:
    return f"dlt.{consumer_group}"
