"""Teenplay's data collection: Selenium adapters for the club and activity sources.

The crawling core (everything here except ``apps.py`` and ``management/``) does not
import Django, so it also runs as ``python -m crawler`` outside the project.
"""
