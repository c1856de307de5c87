"""`make run`'s settings (deploy.settings.dev) for the ``manage.py serve`` test, with the demo credit simulator
on the free port the test chose instead of 8765 (which a developer's own `make run` may hold)."""

import os

from deploy.settings.dev import *  # noqa: F403

ZHUNRU_CREDIT_DEMO_SIMULATOR_URL = f"http://127.0.0.1:{os.environ['ZHUNRU_TEST_SIMULATOR_PORT']}/"
