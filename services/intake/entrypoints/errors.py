"""How intake's refusals reach a client: the status, the field to correct and why."""

from fastapi import FastAPI, Request, status
from fastapi.responses import JSONResponse

from wushe.intake.service_layer.consent import ConsentNotFound
from wushe.intake.service_layer.duplicates import CandidateNotFound
from wushe.intake.service_layer.lifecycle import ChangeRefused, PersonNotFound
from wushe.intake.service_layer.merges import MergeNotFound
from wushe.intake.service_layer.registration import AlreadyRegistered


async def _already_registered(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, AlreadyRegistered)
    return JSONResponse(
        status_code=status.HTTP_409_CONFLICT,
        content={
            "detail": {"message": str(error), "field": "id_number", "person_id": error.person_id}
        },
    )


async def _not_found(_: Request, error: Exception) -> JSONResponse:
    return JSONResponse(status_code=status.HTTP_404_NOT_FOUND, content={"detail": str(error)})


async def _refused(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ChangeRefused)
    return JSONResponse(
        status_code=status.HTTP_409_CONFLICT,
        content={"detail": {"message": str(error), "field": error.field}},
    )


def add_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AlreadyRegistered, _already_registered)
    app.add_exception_handler(PersonNotFound, _not_found)
    app.add_exception_handler(ConsentNotFound, _not_found)
    app.add_exception_handler(CandidateNotFound, _not_found)
    app.add_exception_handler(MergeNotFound, _not_found)
    app.add_exception_handler(ChangeRefused, _refused)
