"""``driftline refsys serve``: the API and its workers (uvicorn).

With ``http_workers > 1`` uvicorn runs that many processes, each with the API, a dispatcher and a
sweeper: concurrent dispatchers never double-assign (row claims with SKIP LOCKED or an immediate
transaction) and concurrent sweepers fire each alert once (a unique constraint), so scaling out
is safe. Worker processes rebuild the app from environment variables, which name the files to
read (the database URL's file is 0600: a password is never in the environment).
"""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path

import uvicorn
from fastapi import FastAPI

from reference_system.app import create_app
from reference_system.config import load_config

ENV_DB_FILE = "DRIFTLINE_REFSYS_DB_FILE"  # a path; the file holds the database URL
ENV_CONFIG = "DRIFTLINE_REFSYS_CONFIG"


def app_from_env() -> FastAPI:
    """The app factory uvicorn's worker processes call."""
    from driftline.secrets import read_secret_file

    config_file = os.environ.get(ENV_CONFIG) or None
    db_file = os.environ.get(ENV_DB_FILE)
    db_url = read_secret_file(db_file, ENV_DB_FILE) if db_file else None
    return create_app(db_url, load_config(config_file), workers=True)


def serve(
    db_url: str | None,
    config_file: Path | None,
    host: str = "127.0.0.1",
    port: int = 8080,
    log_level: str = "warning",
    http_workers: int = 1,
    db_file: Path | None = None,
) -> None:
    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(name)s %(message)s")
    options = {
        "host": host,
        "port": port,
        "log_level": log_level,
        "access_log": False,
        "timeout_graceful_shutdown": 5,
    }
    if http_workers > 1:
        from driftline.secrets import secret_file

        os.environ[ENV_CONFIG] = str(config_file) if config_file else ""
        with contextlib.ExitStack() as stack:
            if db_file is None and db_url:
                db_file = stack.enter_context(secret_file(db_url))
            os.environ[ENV_DB_FILE] = str(db_file) if db_file else ""
            uvicorn.run(
                "reference_system.server:app_from_env",
                factory=True,
                workers=http_workers,
                **options,
            )
        return
    uvicorn.run(create_app(db_url, load_config(config_file), workers=True), **options)
