"""Gunicorn settings for `web` (Procfile). Threads, not one process per request: a slow or
idle client holds at most one thread (and idle keep-alive sockets none), so a handful of them
cannot starve the site. A buffering proxy in front (nginx, a platform router) goes further:
it reads whole requests before passing them on, so slow clients never reach a worker at all."""
import os

workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
# Idle keep-alive connections are closed after this many seconds.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "2"))
# A request still running after this many seconds gets its worker restarted.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
# Request line and headers are bounded.
limit_request_line = 4094
limit_request_fields = 100
accesslog = "-"
errorlog = "-"
