import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "teenplay.settings")
application = get_wsgi_application()

from teenplay.startup import check_static_manifest  # noqa: E402 - needs the settings loaded above

check_static_manifest()
