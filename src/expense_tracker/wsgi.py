"""The production entry point for WSGI servers: `expense_tracker.wsgi:app`."""

from . import create_app
from .config import ProductionConfig

app = create_app(ProductionConfig)
