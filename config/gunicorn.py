"""gunicorn settings for Kinga's web processes: `gunicorn -c python:config.gunicorn config.wsgi`.

Read from the environment like every other setting. Threads (gthread) because a request spends
most of its time waiting on PostgreSQL and Redis, not computing: one process per CPU and a few
threads each keep the CPUs busy without a process's memory per connection. `python -m bench
openrosa` serves Kinga with these same settings (docs/benchmarks.md gives the figures that
chose them); only its command line changes the counts.
"""

from __future__ import annotations

import os

workers = int(os.environ.get("KINGA_WEB_PROCESSES", str(os.cpu_count() or 2)))
worker_class = "gthread"
threads = int(os.environ.get("KINGA_WEB_THREADS", "4"))
# Phones keep their connection open between a HEAD and the POST that follows it.
keepalive = 5
# A 10 MiB submission over a slow network takes a while; the proxy in front buffers it anyway.
timeout = 60
graceful_timeout = 30
# Recycle processes now and then, so that a slow leak cannot grow without bound.
max_requests = 20_000
max_requests_jitter = 2_000
