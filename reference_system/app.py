"""HTTP API of the reference system (FastAPI; OpenAPI at /openapi.json).

Bad input gets a 4xx with a clear one-line message, never a 500; a database that cannot be reached
gets a 503 so load tests can tell an outage from a bug. Every error body is ``{"detail": "…"}``
(the ``Error`` schema), and the OpenAPI document lists each status a route can answer. Ids are
at most 2^53 (exact in JSON everywhere) and text holds no NUL byte (PostgreSQL stores none), so
input a database would refuse is a 422, not a 500. ``OPTIONS`` and a 405 name every method of a
path in ``Allow``.
"""

from __future__ import annotations

import contextlib
from typing import Annotated, Any, Literal

import sqlalchemy as sa
from fastapi import FastAPI, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field
from starlette.routing import Match

from reference_system import tickets
from reference_system.config import Config
from reference_system.database import make_engine, read_tx
from reference_system.dispatcher import Dispatcher
from reference_system.errors import TicketError
from reference_system.routing import load_routing
from reference_system.sweeper import Sweeper

MAX_ID = 2**53
NO_NUL = r"^[^\x00]*$"
#: JSON schema of a string with something besides blanks in it (and no NUL)
TEXT_NOT_BLANK = {"type": "string", "pattern": r"^[^\x00]*[^\s\x00][^\x00]*$"}
TicketId = Annotated[int, Path(ge=1, le=MAX_ID)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Text = Annotated[str, Field(min_length=1, max_length=200, pattern=TEXT_NOT_BLANK["pattern"])]


class Error(BaseModel):
    """Every error answer: one line saying what is wrong."""

    detail: str


_ERROR = {"model": Error}
#: What every route may answer besides success; statuses a route cannot produce are harmless.
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {**_ERROR, "description": "Request not allowed in the ticket's state"},
    403: {**_ERROR, "description": "The customer does not own the ticket"},
    404: {**_ERROR, "description": "No such ticket"},
    409: {
        **_ERROR,
        "description": "Conflicts with the current state of the ticket or of a named agent",
    },
    422: {**_ERROR, "description": "Invalid input"},
    503: {**_ERROR, "description": "Database unavailable"},
}


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TicketIn(_In):
    priority: Literal["P0", "P1", "P2", "P3"]
    source: Literal["web_form", "hotline", "app"]
    region: Annotated[str, Field(min_length=1, max_length=32, pattern=NO_NUL)]
    category: Annotated[str, Field(min_length=1, max_length=32, pattern=NO_NUL)]
    customer_id: Id
    title: Text
    description: Annotated[str, Field(max_length=10_000, pattern=NO_NUL)] = ""


class ActionIn(_In):
    """An agent's action: a note, a next action, or both (one of them is required)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "anyOf": [
                {"required": ["note"], "properties": {"note": TEXT_NOT_BLANK}},
                {"required": ["next_action"], "properties": {"next_action": TEXT_NOT_BLANK}},
            ]
        },
    )
    agent_id: Id
    note: Annotated[str | None, Field(max_length=10_000, pattern=NO_NUL)] = None
    next_action: Annotated[str | None, Field(max_length=2_000, pattern=NO_NUL)] = None


class ResolveIn(_In):
    agent_id: Id
    resolution: Text


class CustomerIn(_In):
    customer_id: Id


class ReopenIn(CustomerIn):
    reason: Text


class RateIn(CustomerIn):
    rating: Annotated[int, Field(ge=1, le=5)]
    reason: Annotated[str, Field(min_length=1, max_length=400, pattern=NO_NUL)]


class AssignIn(_In):
    agent_id: Id
    actor: Annotated[str, Field(min_length=1, max_length=64, pattern=NO_NUL)] = "manual"


def _allowed(request: Request) -> set[str]:
    """Every method some route serves at the request's path."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        match, _ = route.matches({**request.scope, "method": "GET"})
        if match is not Match.NONE and isinstance(route, APIRoute):
            methods |= set(route.methods or ())
    return methods


async def _allow_header(request: Request, call_next: Any) -> Response:
    """``OPTIONS`` answers 204 with ``Allow``; a 405 names every method of the path."""
    methods = _allowed(request)
    allow = ", ".join(sorted(methods | {"OPTIONS"}))
    if request.method == "OPTIONS" and methods:
        return Response(status_code=204, headers={"Allow": allow})
    response = await call_next(request)
    if response.status_code == 405 and methods:
        detail = f"method {request.method} not allowed on {request.url.path}"
        return JSONResponse({"detail": detail}, status_code=405, headers={"Allow": allow})
    return response


def _json(data: Any, status_code: int = 200) -> JSONResponse:
    """Our payloads are JSON-native already: skip FastAPI's response-model pass."""
    return JSONResponse(data, status_code=status_code)


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body", "path", "query"))
        parts.append(f"{where or 'request'}: {err.get('msg', 'invalid')}")
    return "; ".join(parts)


def create_app(db_url: str | None, config: Config | None = None, workers: bool = True) -> FastAPI:
    """The API over ``db_url``; with ``workers`` the dispatcher and sweeper run alongside it."""
    config = config or Config()
    engine = make_engine(db_url)
    routing = load_routing(config.routing_file)
    dispatcher = Dispatcher(engine, config)
    sweeper = Sweeper(engine, config)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI):
        if workers:
            dispatcher.start()
            sweeper.start()
        try:
            yield
        finally:
            dispatcher.stop()
            sweeper.stop()
            engine.dispose()

    app = FastAPI(title="driftline reference ticket system", version="1", lifespan=lifespan)
    app.middleware("http")(_allow_header)
    app.state.engine = engine
    app.state.config = config
    app.state.dispatcher = dispatcher
    app.state.sweeper = sweeper
    if not workers:
        dispatcher.health.enabled = False
        sweeper.health.enabled = False

    @app.exception_handler(TicketError)
    async def _ticket_error(_request: Request, exc: TicketError) -> JSONResponse:
        return JSONResponse({"detail": exc.message}, status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": _validation_message(exc)}, status_code=422)

    @app.exception_handler(sa.exc.OperationalError)
    async def _db_down(_request: Request, exc: sa.exc.OperationalError) -> JSONResponse:
        first = str(exc.orig).splitlines()[0] if exc.orig else "database error"
        return JSONResponse({"detail": f"database unavailable: {first}"}, status_code=503)

    @app.exception_handler(sa.exc.InterfaceError)
    async def _db_gone(_request: Request, exc: sa.exc.InterfaceError) -> JSONResponse:
        return JSONResponse({"detail": "database unavailable"}, status_code=503)

    @app.post("/tickets", status_code=201, response_class=JSONResponse, responses=ERRORS)
    def create(body: TicketIn) -> JSONResponse:
        ticket = tickets.create_ticket(engine, routing, config, body.model_dump())
        return JSONResponse(ticket, status_code=201)

    @app.get("/tickets", response_class=JSONResponse, responses=ERRORS)
    def list_(
        status: Annotated[str | None, Query(max_length=16, pattern=NO_NUL)] = None,
        department: Annotated[str | None, Query(max_length=32, pattern=NO_NUL)] = None,
        customer_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
    ) -> JSONResponse:
        return _json(tickets.list_tickets(engine, status, department, customer_id, limit))

    @app.get("/tickets/{ticket_id}", response_class=JSONResponse, responses=ERRORS)
    def get(ticket_id: TicketId) -> JSONResponse:
        return _json(tickets.get_ticket(engine, ticket_id))

    @app.get("/tickets/{ticket_id}/timeline", response_class=JSONResponse, responses=ERRORS)
    def get_timeline(ticket_id: TicketId) -> JSONResponse:
        return _json(tickets.timeline(engine, ticket_id))

    @app.get("/tickets/{ticket_id}/alerts", response_class=JSONResponse, responses=ERRORS)
    def get_alerts(ticket_id: TicketId) -> JSONResponse:
        return _json(tickets.alerts(engine, ticket_id))

    @app.post("/tickets/{ticket_id}/actions", response_class=JSONResponse, responses=ERRORS)
    def act(ticket_id: TicketId, body: ActionIn) -> JSONResponse:
        return _json(
            tickets.add_action(engine, ticket_id, body.agent_id, body.note, body.next_action)
        )

    @app.post("/tickets/{ticket_id}/resolve", response_class=JSONResponse, responses=ERRORS)
    def resolve(ticket_id: TicketId, body: ResolveIn) -> JSONResponse:
        return _json(tickets.resolve(engine, ticket_id, body.agent_id, body.resolution))

    @app.post("/tickets/{ticket_id}/confirm", response_class=JSONResponse, responses=ERRORS)
    def confirm(ticket_id: TicketId, body: CustomerIn) -> JSONResponse:
        return _json(tickets.confirm(engine, ticket_id, body.customer_id))

    @app.post("/tickets/{ticket_id}/reopen", response_class=JSONResponse, responses=ERRORS)
    def reopen(ticket_id: TicketId, body: ReopenIn) -> JSONResponse:
        return _json(tickets.reopen(engine, config, ticket_id, body.customer_id, body.reason))

    @app.post("/tickets/{ticket_id}/rate", response_class=JSONResponse, responses=ERRORS)
    def rate(ticket_id: TicketId, body: RateIn) -> JSONResponse:
        return _json(tickets.rate(engine, ticket_id, body.customer_id, body.rating, body.reason))

    @app.post("/tickets/{ticket_id}/assign", response_class=JSONResponse, responses=ERRORS)
    def assign(ticket_id: TicketId, body: AssignIn) -> JSONResponse:
        return _json(tickets.assign(engine, ticket_id, body.agent_id, body.actor))

    @app.get("/healthz", responses={503: {"description": "Degraded: the database is unreachable"}})
    def healthz() -> JSONResponse:
        database = "ok"
        try:
            with read_tx(engine) as conn:
                conn.exec_driver_sql("SELECT 1")
        except sa.exc.SQLAlchemyError as exc:
            database = f"error: {str(getattr(exc, 'orig', exc)).splitlines()[0]}"
        d, sw = dispatcher.health.to_dict(), sweeper.health.to_dict()
        degraded = database != "ok" or d["last_error"] or sw["last_error"]
        body = {
            "status": "degraded" if degraded else "ok",
            "database": database,
            "dispatcher": d,
            "sweeper": sw,
        }
        return JSONResponse(body, status_code=503 if database != "ok" else 200)

    return app
