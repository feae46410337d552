"""What a failed email or text message leaves in the delivery log.

An SMTP server's or SMS gateway's refusal often quotes the address or number it refused,
and partners' and donors' contacts are kept sealed: only the error's kind and the
server's reply code are kept. A network error names the server, not the recipient, so
its words are kept for whoever mends the connection."""

import smtplib


def failure_reason(error: BaseException) -> str:
    if isinstance(error, smtplib.SMTPException):
        code = getattr(error, "smtp_code", None)
        return f"{type(error).__name__} {code}" if code else type(error).__name__
    if isinstance(error, OSError):
        return f"{type(error).__name__}: {error}"
    return type(error).__name__
