"""WSGI entry point: ``gunicorn -c python:bureau.serve`` (or deploy/gunicorn.conf.py), or any
WSGI server. A setting that cannot be read stops the server with one line, not a traceback."""

import os
import sys

from django.core.wsgi import get_wsgi_application

from bureau.env import SettingError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bureau.settings")
try:
    application = get_wsgi_application()
except SettingError as exc:
    sys.stderr.write(f"bureau: {exc}\n")
    raise SystemExit(2) from None
