"""``manage.py crawl SITE --out PATH``: the same crawler as ``python -m crawler``."""
from __future__ import annotations

import logging
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from crawler.cli import DEFAULT_OUT_DIR, add_crawl_arguments, run_crawls
from crawler.errors import CrawlError


class Command(BaseCommand):
    help = "Crawl club or activity listings into a raw CSV (UTF-8 with BOM), in headless Chromium."

    def add_arguments(self, parser) -> None:
        add_crawl_arguments(parser)

    def handle(self, *args, **options) -> None:
        if options["verbosity"] == 0:
            options["no_progress"] = True
        with _crawler_log_to(self.stderr, verbose=options["verbosity"] >= 2):
            try:
                report = run_crawls(options, out_dir=Path(settings.BASE_DIR) / DEFAULT_OUT_DIR)
            except CrawlError as error:
                raise CommandError(str(error)) from error
        for summary in report.summaries:
            self.stdout.write(summary.line())
        if report.failures:
            raise CommandError("\n".join(report.failures))


class _crawler_log_to:
    """Show the crawler's log (warnings; info too when verbose) on the command's stderr."""

    def __init__(self, stream, *, verbose: bool) -> None:
        self._handler = logging.StreamHandler(stream)
        self._handler.setLevel(logging.INFO if verbose else logging.WARNING)
        self._handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        self._logger = logging.getLogger("crawler")
        self._previous_level = self._logger.level

    def __enter__(self) -> None:
        self._logger.addHandler(self._handler)
        self._logger.setLevel(min(self._handler.level, self._logger.getEffectiveLevel()))

    def __exit__(self, *exc_info) -> None:
        self._logger.removeHandler(self._handler)
        self._logger.setLevel(self._previous_level)
