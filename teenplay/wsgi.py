import os
import sys
from importlib.abc import MetaPathFinder

from django.core.wsgi import get_wsgi_application


class _PandasIsNotForTheWebProcess(MetaPathFinder):
    """A web process never uses pandas (the import contract "lean web process", .importlinter), but
    scikit-learn imports it whenever it is installed (sklearn.utils.fixes, inside a try that treats
    an ImportError as "no pandas"). Refusing the import keeps ~30 MiB and half a second out of every
    web process; training, notebooks and the management commands run in other processes."""

    def find_spec(self, name, path=None, target=None):
        if name == "pandas" or name.startswith("pandas."):
            raise ModuleNotFoundError(f"{name} is not imported in a web process (teenplay.wsgi)", name=name)
        return None


if "pandas" not in sys.modules:
    sys.meta_path.insert(0, _PandasIsNotForTheWebProcess())

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "teenplay.settings")
application = get_wsgi_application()

from teenplay.startup import check_static_manifest  # noqa: E402 - needs the settings loaded above

check_static_manifest()
