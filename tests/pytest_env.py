"""Loaded as a pytest plugin (-p) so it runs before pytest-django reads the settings."""
import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production")
# The test servers speak plain HTTP on 127.0.0.1.
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SESSION_COOKIE_SECURE", "false")
os.environ.setdefault("CSRF_COOKIE_SECURE", "false")
# Serve static sources directly instead of a collectstatic manifest.
os.environ.setdefault("STATIC_MANIFEST", "false")
# Learning tasks run when their transaction commits; tests/recommender/test_task_queue.py runs
# them through a real queue and worker (the database's, or RQ's with TASKS_BACKEND=rq).
os.environ.setdefault("TASKS_BACKEND", "immediate")
# The per-process id caches are off (every test sees its own database state at once), except in
# tests/recommender/test_caches.py, which turns them on to test what invalidates them.
os.environ.setdefault("RECOMMENDER_NEWEST_CACHE_SECONDS", "0")
os.environ.setdefault("ACTIVITY_TAB_CACHE_SECONDS", "0")
os.environ.setdefault("RECOMMENDER_SEASON_CACHE_SECONDS", "0")
