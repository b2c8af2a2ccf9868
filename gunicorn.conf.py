"""Gunicorn settings for `web` (Procfile). Threads, not one process per request: a slow or
idle client holds at most one thread (and idle keep-alive sockets none), so a handful of them
cannot starve the site. A buffering proxy in front (nginx, a platform router) goes further:
it reads whole requests before passing them on, so slow clients never reach a worker at all."""
import ctypes
import gc
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


def _limit_malloc_arenas(arenas: int = 2) -> None:
    """glibc gives each thread that allocates its own malloc arena (up to 8 per core), and freed
    memory stays in them: with 8 threads per worker that cost ~10 MiB over two workers
    (bench/http_load.py). Set in the master before any worker thread exists; MALLOC_ARENA_MAX
    in the environment wins."""
    if "MALLOC_ARENA_MAX" in os.environ:
        return
    try:
        ctypes.CDLL("libc.so.6").mallopt(-8, arenas)  # M_ARENA_MAX
    except (OSError, AttributeError):  # not glibc (macOS, musl): nothing to limit this way
        pass


_limit_malloc_arenas()

# The app, the model and the tokenizer are loaded once in the master, before the port opens; the
# workers forked from it share those pages (the tokenizer's model is most of a worker's memory)
# and answer their first request as fast as any other.
preload_app = True


def on_starting(server):
    """Runs in the master after the preloaded app is imported and before the listening socket
    is opened, so no request waits for the warm-up."""
    from django.apps import apps

    if not apps.ready:  # not the site (bench/http_load.py serves a plain WSGI app with this config)
        return
    from django.db import connections

    from teenplay.warmup import warm_up_web_process

    warm_up_web_process()
    connections.close_all()  # never share a database connection with the forked workers
    # Objects that exist now move out of the collector's reach: a collection in a worker would
    # otherwise write to every shared object's header and copy its page into the worker.
    gc.freeze()
