"""gunicorn settings for production (deploy/systemd/bureau-web.service):

    gunicorn --config deploy/gunicorn.conf.py bureau.wsgi:application

Bureau's own serving settings (bureau/serve.py: BUREAU_ADDR, BUREAU_WEB_WORKERS,
BUREAU_WEB_THREADS, the timeouts, Bureau's JSON log format, the settings read once before
serving), plus what a long-running server behind a proxy wants. Any value can be changed in
GUNICORN_CMD_ARGS in the environment file, which wins over this file.
"""

from bureau.serve import (
    access_log_format,
    accesslog,
    bind,
    control_socket_disable,
    graceful_timeout,
    logconfig_dict,
    on_starting,
    threads,
    timeout,
    worker_class,
    workers,
    wsgi_app,
)

__all__ = ["access_log_format", "accesslog", "bind", "control_socket_disable",
           "graceful_timeout", "logconfig_dict", "on_starting", "threads", "timeout",
           "worker_class", "workers", "wsgi_app"]

# Recycle a worker process now and then, so that a slow leak never becomes an outage.
max_requests = 2000
max_requests_jitter = 200
# Keep a browser's connection open between the page and its static files.
keepalive = 5
# Trust X-Forwarded-Proto and X-Forwarded-For from the proxy on this machine only; a proxy on
# another machine: --forwarded-allow-ips in GUNICORN_CMD_ARGS (docs/deploy.md).
forwarded_allow_ips = "127.0.0.1,::1"
# The workers' liveness files in memory, not on a disk that may stall.
worker_tmp_dir = "/dev/shm"
