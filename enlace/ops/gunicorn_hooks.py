"""gunicorn's hooks for the metrics, importable before Django is set up (a gunicorn config
file is read first): in gunicorn.conf.py, `from enlace.ops.gunicorn_hooks import child_exit`.
"""

from __future__ import annotations

import os
from typing import Any


def child_exit(server: Any, worker: Any) -> None:
    """A worker that ended leaves its files in PROMETHEUS_MULTIPROC_DIR: its counters and
    histograms stay counted, its live gauges are dropped (prometheus-client's multiprocess
    mode)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]
