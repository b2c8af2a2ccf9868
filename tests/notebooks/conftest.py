def pytest_configure(config):
    # Registered here (pytest.ini runs with --strict-markers): `pytest -m "not notebooks"` skips
    # executing the notebooks; a plain `pytest` runs them.
    config.addinivalue_line("markers", "notebooks: executes the analysts' Jupyter notebooks (about a minute)")
