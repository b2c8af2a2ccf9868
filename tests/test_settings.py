"""Settings read the environment; production refuses insecure defaults.

These load the production settings (teenplay.settings), not the test run's tests.settings:
in a new manage.py process (tests.helpers.run_manage), or executed afresh from the file."""
import runpy

from tests.helpers import ROOT, run_manage

SETTINGS_FILE = ROOT / "teenplay" / "settings.py"


def production_settings(monkeypatch, **environment) -> dict:
    """teenplay/settings.py executed afresh (the running Django's settings are untouched) with
    only these of the variables it reads set."""
    for name in ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "LOG_LEVEL", "LOGIN_FAILURE_LIMIT",
                 "TASKS_BACKEND", "RECOMMENDER_EXPERIMENT", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE",
                 "CSRF_COOKIE_SECURE", "STATIC_MANIFEST"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS_FILE))


def test_check_deploy_is_clean_with_debug_off_and_a_secret_key():
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING",
        DEBUG="false", SECRET_KEY="a-long-random-production-secret-" + "x" * 40, ALLOWED_HOSTS="teenplay.example",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_secret_key():
    result = run_manage("check", DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_development_starts_without_secret_key():
    result = run_manage("check", DEBUG="true")
    assert result.returncode == 0, result.stderr


def test_settings_come_from_the_environment(monkeypatch, tmp_path):
    configured = production_settings(
        monkeypatch, DEBUG="false", SECRET_KEY="from-the-environment", ALLOWED_HOSTS="teenplay.example, www.teenplay.example",
        DATABASE_URL=f"sqlite:///{tmp_path / 'site.sqlite3'}", LOG_LEVEL="WARNING", LOGIN_FAILURE_LIMIT="4",
        TASKS_BACKEND="immediate", RECOMMENDER_EXPERIMENT="personal=50,ranked=50",
    )
    assert configured["DEBUG"] is False and configured["SECRET_KEY"] == "from-the-environment"
    assert configured["ALLOWED_HOSTS"] == ["teenplay.example", "www.teenplay.example"]
    assert configured["DATABASES"]["default"]["NAME"] == str(tmp_path / "site.sqlite3")
    assert configured["LOGGING"]["root"]["level"] == "WARNING"
    assert configured["AXES_FAILURE_LIMIT"] == 4
    assert configured["TASKS"]["default"]["BACKEND"] == "django_tasks.backends.immediate.ImmediateBackend"
    assert configured["RECOMMENDER_EXPERIMENT"] == "personal=50,ranked=50"
    # With DEBUG off the secure defaults are on unless the environment turns them off.
    assert configured["SECURE_SSL_REDIRECT"] and configured["SESSION_COOKIE_SECURE"] and configured["CSRF_COOKIE_SECURE"]

    development = production_settings(monkeypatch, DEBUG="true", DATABASE_URL="postgres://teen:play@db.internal:6543/teenplay")
    assert development["SECRET_KEY"].startswith("dev-only")
    assert development["ALLOWED_HOSTS"] == ["127.0.0.1", "localhost", "[::1]"]
    database = development["DATABASES"]["default"]
    assert (database["ENGINE"], database["HOST"], database["PORT"], database["NAME"], database["USER"]) == (
        "django.db.backends.postgresql", "db.internal", 6543, "teenplay", "teen")
    assert not development["SECURE_SSL_REDIRECT"]
    # What no environment changes.
    assert (development["TIME_ZONE"], development["LANGUAGE_CODE"], development["AUTH_USER_MODEL"]) == (
        "Asia/Seoul", "ko-kr", "member.Member")


def test_production_hashes_passwords_with_django_default_and_tests_do_not(monkeypatch, settings):
    """tests.settings swaps the slow password hasher for a fast one; production keeps Django's
    default (PBKDF2) and its test database name is Django's own."""
    configured = production_settings(monkeypatch, DEBUG="true")
    assert "PASSWORD_HASHERS" not in configured  # Django's default list, PBKDF2 first
    from django.conf import global_settings

    assert global_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.PBKDF2PasswordHasher"
    assert "TEST" not in configured["DATABASES"]["default"]
    assert settings.PASSWORD_HASHERS == ["django.contrib.auth.hashers.MD5PasswordHasher"]

