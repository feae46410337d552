"""A refused email or text leaves its kind and code in the delivery log, never the
address or number the server quoted."""

import smtplib

from wushe.notify.adapters.failure_reasons import failure_reason

ADDRESS = "duty-officer@child-protection.example.cn"


def test_an_smtp_refusal_keeps_its_kind_and_code_not_the_address() -> None:
    refused = smtplib.SMTPRecipientsRefused({ADDRESS: (550, b"5.1.1 unknown " + ADDRESS.encode())})
    assert failure_reason(refused) == "SMTPRecipientsRefused"
    rejected = smtplib.SMTPDataError(554, f"message to {ADDRESS} rejected".encode())
    assert failure_reason(rejected) == "SMTPDataError 554"


def test_a_network_error_keeps_its_words_and_anything_else_only_its_kind() -> None:
    assert failure_reason(ConnectionRefusedError(111, "Connection refused")) == (
        "ConnectionRefusedError: [Errno 111] Connection refused"
    )
    assert failure_reason(ValueError(f"gateway refused 13800138000 for {ADDRESS}")) == (
        "ValueError"
    )
