"""How the ledger's refusals reach a client: the status, the field to correct and why."""

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from wushe.shared.refusals import Refused


async def _refused(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, Refused)
    return JSONResponse(
        status_code=error.status_code,
        content={"detail": {"message": str(error), "field": error.field}},
    )


def add_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(Refused, _refused)
