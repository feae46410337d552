"""Routes whose refusals reach the client as `{"detail": {"field", "message"}}` with the
refusal's status, without an application-wide handler."""

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from wushe.charity.domain.refusals import Refused


class RefusalRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def answer(request: Request) -> Response:
            try:
                return await handle(request)
            except Refused as refusal:
                return JSONResponse(
                    status_code=refusal.status_code,
                    content={"detail": {"field": refusal.field, "message": str(refusal)}},
                )

        return answer
