"""``python -m crawler SITE --out PATH``: the crawler without Django."""
from crawler.cli import main

raise SystemExit(main())
