"""gunicorn settings for production: `gunicorn --config gunicorn.conf.py` (see the Procfile).

Environment: HOST and PORT choose the address, WEB_CONCURRENCY the number of workers.
"""

import multiprocessing
import os

wsgi_app = "expense_tracker.wsgi:app"
bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"

# The usual starting point for synchronous workers: two per core, plus one.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
# A request that takes longer than this is stuck; its worker is replaced.
timeout = 30
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so slow leaks never add up; jitter avoids all at once.
max_requests = 2000
max_requests_jitter = 200
# The app is loaded once, in the master, and each worker is forked from it: workers start in a
# moment and share its memory. A deploy restarts gunicorn (HUP would keep the old code).
preload_app = True

accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info")
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'


def post_fork(server, worker):
    """Give each worker database connections of its own, never ones made before the fork."""
    app = worker.app.wsgi()
    extension = getattr(app, "extensions", {}).get("sqlalchemy")
    if extension is not None:
        with app.app_context():
            for engine in extension.engines.values():
                engine.dispose(close=False)
