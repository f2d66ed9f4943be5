"""gunicorn settings for Bureau's web server (deploy/systemd/bureau-web.service).

    gunicorn --config deploy/gunicorn.conf.py bureau.wsgi:application

Any value can be changed without editing this file: GUNICORN_CMD_ARGS in the environment
file (for example "--bind 0.0.0.0:8001 --workers 8") wins over what is written here.
"""

import multiprocessing

# Loopback only: the reverse proxy (deploy/Caddyfile) is the one door from the outside. A web
# server behind a proxy on another machine binds its private address instead.
bind = ["127.0.0.1:8001"]

# Processes for CPU, threads for the waits (database, EPP, PowerDNS). Two processes per core
# keep every core busy while some requests wait.
workers = 2 * multiprocessing.cpu_count()
worker_class = "gthread"
threads = 4

# Import Bureau once in the arbiter: a settings or key error stops the start with one clear
# message instead of a loop of dying workers, and the workers share the memory of the code.
preload_app = True

# A request longer than this is stuck (a registry that does not answer has its own timeouts).
timeout = 60
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, so that a slow leak never becomes an outage.
max_requests = 2000
max_requests_jitter = 200

# Trust X-Forwarded-For / X-Forwarded-Proto from the proxy on this machine only; a proxy on
# another machine is added with --forwarded-allow-ips in GUNICORN_CMD_ARGS.
forwarded_allow_ips = "127.0.0.1,::1"

# Bureau's log format (bureau/serve.py, docs/configuration.md "Logs"): gunicorn's errors and
# one access record per request, with the request id the proxy sets (or Bureau makes), go to
# standard error as JSON lines with Bureau's own, where systemd's journal collects them. The
# settings are read once before serving: a missing key stops the start with one line.
from bureau.serve import access_log_format, accesslog, logconfig_dict, on_starting  # noqa: E402

__all__ = ["access_log_format", "accesslog", "logconfig_dict", "on_starting"]

loglevel = "info"
# Workers write their temporary heartbeat files in memory, not on a disk that may stall.
worker_tmp_dir = "/dev/shm"
