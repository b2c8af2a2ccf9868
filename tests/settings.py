"""Settings for the test run: the production settings (teenplay.settings) plus what only tests need.

pytest.ini points DJANGO_SETTINGS_MODULE here. Tests of the production settings themselves
(tests/test_settings.py, tests/security/test_production.py) load teenplay.settings explicitly.
"""
import os
import tempfile
from pathlib import Path

from teenplay.settings import *  # noqa: F403
from teenplay.settings import DATABASES

# Members' passwords are hashed thousands of times per run; the production hasher (PBKDF2,
# Django's default) costs ~0.3 s a hash on a small machine. Passwords here protect nothing.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not shared-cache memory, so concurrent threads wait for the lock (see the OPTIONS in
    # teenplay.settings). One file per test process: concurrent runs never share (or delete) each
    # other's database; pytest-django adds _gw0, _gw1 ... under pytest-xdist.
    DATABASES["default"].setdefault("TEST", {})["NAME"] = str(
        Path(tempfile.gettempdir()) / f"teenplay_test_{os.getpid()}.sqlite3"
    )
