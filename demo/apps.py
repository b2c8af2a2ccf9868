from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Building, loading and bootstrapping the demo data (the top layer: it may use every app)."""

    name = "demo"
    verbose_name = "데모 데이터"
