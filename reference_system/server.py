"""``driftline refsys serve``: the API and its workers in one process (uvicorn)."""

from __future__ import annotations

import logging

import uvicorn

from reference_system.app import create_app
from reference_system.config import Config


def serve(
    db_url: str | None,
    config: Config,
    host: str = "127.0.0.1",
    port: int = 8080,
    log_level: str = "warning",
) -> None:
    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(name)s %(message)s")
    app = create_app(db_url, config, workers=True)
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level=log_level,
        access_log=False,
        timeout_graceful_shutdown=5,
    )
