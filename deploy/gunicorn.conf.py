"""gunicorn's settings file for deploy/Procfile's web processes (`gunicorn -c` this file): what
is not a command-line flag there. Nothing here imports Django (the master never loads the app)."""

from __future__ import annotations

import os
from typing import Any


def child_exit(server: Any, worker: Any) -> None:
    """A worker that ended (restarted after --max-requests, or killed) leaves its live gauges
    in PROMETHEUS_MULTIPROC_DIR; mark them dead so /metrics stops adding them up."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]
