"""schemathesis against the reference API on SQLite and PostgreSQL: no 500, and every answer
matches the OpenAPI document (status, content type, body schema, headers, Allow on 405).

Bounded: a few examples per operation and per backend (well under 60 s each), with the checks
schemathesis runs by default plus its unsupported-method probe.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from reference_system.app import create_app
from reference_system.bootstrap import init_database
from reference_system.config import load_config
from reference_system.database import make_engine
from tests.conftest import require_server

EXAMPLES = 10


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def api_schema(request, tmp_path_factory):
    from driftline.scratch import scratch_database

    config = load_config()
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'refsys.db'}"
        holder = None
    else:
        holder = scratch_database(require_server("postgresql"), prefix="dl_fuzz")
        url = holder.__enter__()
    engine = make_engine(url)
    init_database(engine, config)
    engine.dispose()
    app = create_app(url, config, workers=False)
    yield schemathesis.openapi.from_asgi("/openapi.json", app)
    app.state.engine.dispose()
    if holder is not None:
        holder.__exit__(None, None, None)


def test_api_never_answers_500_and_keeps_its_schema(api_schema):
    failures = []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 12

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def check(case) -> None:
            case.call_and_validate()

        try:
            check()
        except Exception as exc:  # every operation's first failure, reported together
            failures.append(f"{operation.label}: {str(exc).strip()[:600]}")
    assert failures == [], "\n\n".join(failures)
