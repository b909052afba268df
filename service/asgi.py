"""The ASGI entry point for servers (``uvicorn service.asgi:app``); settings come from the environment."""

from service.app import create_app
from service.settings import get_settings

# `plenary serve` has migrated already; workers only check (a no-op when the schema is current).
app = create_app(get_settings())
