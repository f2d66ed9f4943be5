"""The web server's configuration: ``gunicorn -c python:bureau.serve`` serves Bureau (`bureau
run` starts it so, and so do the production units).

Where it listens is ``BUREAU_ADDR``; how many processes and threads ``BUREAU_WEB_WORKERS`` and
``BUREAU_WEB_THREADS``; anything else gunicorn knows can be given on its command line or in
``GUNICORN_CMD_ARGS``. Its own records (errors, one access line per request with the request
id) join Bureau's on standard error as JSON lines. Before any worker starts, the settings are
read: a missing key stops the server with one line saying what to set.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

from bureau.env import SettingError, env_int, env_str
from bureau.logs import logging_config

wsgi_app = "bureau.wsgi:application"
bind = [env_str("BUREAU_ADDR", "127.0.0.1:8000")]
workers = env_int("BUREAU_WEB_WORKERS", 2)
worker_class = "gthread"
threads = env_int("BUREAU_WEB_THREADS", 4)
# A request may wait on a registry (EPP) or PowerDNS for a while: not killed before 60 s.
timeout = 60
graceful_timeout = 20
control_socket_disable = True  # no socket in $HOME: several servers may run on one machine

accesslog = None  # the access log goes through logconfig_dict, to standard error
access_log_format = "%(m)s %(U)s %(s)s %(M)sms"
logconfig_dict = logging_config(env_str("BUREAU_LOG_LEVEL", "INFO"))
logconfig_dict["loggers"].update({
    "gunicorn.error": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
    "gunicorn.access": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
})


def on_starting(server: Any) -> None:
    """Read the settings once before serving: stop with one line if they are wrong, and say
    (without stopping: the health check reports it) when the database cannot be reached."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bureau.settings")
    from django.conf import settings

    try:
        settings.SECRET_KEY  # noqa: B018  (reading it imports the settings module)
    except SettingError as exc:
        sys.stderr.write(f"bureau: {exc}\n")
        sys.stderr.flush()
        os._exit(2)  # gunicorn would log SystemExit with a traceback
    import django
    from django.db import DatabaseError, connection

    django.setup()
    try:
        connection.ensure_connection()
    except DatabaseError as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        logging.getLogger("bureau").error("the database cannot be reached: %s", first)
    finally:
        connection.close()
