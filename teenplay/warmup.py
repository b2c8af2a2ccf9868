"""What a web process loads before it serves anyone (gunicorn.conf.py runs it in the master,
before the port opens and before the workers fork, so they share it)."""
import logging
import time

from django.conf import settings
from django.template.loader import get_template
from django.urls import get_resolver

logger = logging.getLogger(__name__)


def warm_up_web_process() -> None:
    started = time.perf_counter()
    get_resolver().url_patterns  # imports every view, API and serializer module  # noqa: B018
    # The site's pages, compiled once (the cached template loader keeps them).
    for directory in settings.TEMPLATES[0]["DIRS"]:
        for path in sorted(directory.rglob("*.html")):
            get_template(str(path.relative_to(directory)))
    from recommender.warmup import warm_up

    warm_up()
    logger.info("web process warmed up in %.1f s", time.perf_counter() - started)
