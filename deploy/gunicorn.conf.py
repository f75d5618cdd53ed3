"""gunicorn's settings file for deploy/Procfile's web processes (`gunicorn -c` this file): what
is not a command-line flag there. Nothing here sets Django up (the master never loads the app).
"""

from __future__ import annotations

# A worker that ended (restarted after --max-requests, or killed) leaves its live gauges in
# PROMETHEUS_MULTIPROC_DIR; the hook marks them dead so /metrics stops adding them up.
from enlace.ops.gunicorn_hooks import child_exit

__all__ = ["child_exit"]
