"""The ASGI entry point for servers (``uvicorn service.asgi:app``); settings come from the environment."""

import gc

from service.app import create_app
from service.settings import get_settings

# `plenary serve` has migrated already; workers only check (a no-op when the schema is current).
app = create_app(get_settings())

# What start-up made (modules, routes, the app) lives as long as the worker: out of the collector's
# sight, it is not walked again by every full collection, which a large render triggers (about a
# tenth of a cold 1,000-talk export's CPU, bench/RESULTS.md).
gc.collect()
gc.freeze()
