"""Checks a web process makes before it serves anything, so a deploy mistake stops the start
with a clear message instead of failing at the first page."""
from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import storages


def check_static_manifest() -> None:
    """With DEBUG off and hashed static files, the manifest `collectstatic` writes must exist."""
    if settings.DEBUG:
        return
    storage = storages["staticfiles"]
    if not isinstance(storage, ManifestFilesMixin):
        return
    if not storage.exists(storage.manifest_name):
        raise ImproperlyConfigured(
            f"The static files manifest {storage.path(storage.manifest_name)} is missing, so no page could be "
            "shown. Run `python manage.py collectstatic --noinput` (the Procfile's release step) with the same "
            "STATIC_ROOT before starting the web process."
        )
