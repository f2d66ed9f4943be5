"""Logs: every record of every process (web server, Django, the workers, Bureau) goes to
standard error as one JSON object per line, with the request id of the request it belongs to.

The request id comes from the client's (or the proxy's) ``X-Request-ID`` header when it is a
sane one, else it is made here; the response carries it back in the same header, so that a
user quoting it lets an operator find every line of that request. Django's settings select
:func:`configure` (``LOGGING_CONFIG``); the web server's configuration (bureau/serve.py) uses
:func:`logging_config` for its own loggers.
"""

from __future__ import annotations

import contextvars
import json
import logging
import logging.config
import re
import sys
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

HEADER = "X-Request-ID"
_SANE = re.compile(r"^[A-Za-z0-9._:@/+=-]{1,128}$")
request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")


def new_request_id(offered: str | None = None) -> str:
    """The offered id when it is sane (no spaces, not too long), else a fresh one."""
    if offered and _SANE.match(offered):
        return offered
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Sets the request id for the request's log records and returns it in the response."""

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        rid = new_request_id(request.headers.get(HEADER))
        request.request_id = rid
        token = request_id.set(rid)
        try:
            response = self.get_response(request)
        finally:
            request_id.reset(token)
        response[HEADER] = rid
        return response


def log_task_ids() -> None:
    """In a worker, the records of a job carry ``task-<id>`` as their request id."""
    from django_tasks.signals import task_finished, task_started

    def started(task_result: Any, **kwargs: Any) -> None:
        request_id.set(f"task-{task_result.id}")

    def finished(task_result: Any, **kwargs: Any) -> None:
        request_id.set("")  # after django-tasks' own receiver logged the outcome

    task_started.connect(started, weak=False, dispatch_uid="bureau.logs.started")
    task_finished.connect(finished, weak=False, dispatch_uid="bureau.logs.finished")


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record: the current request's, or for the web server's
    access log, the one in the response it logs."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            rid = request_id.get()
            if not rid and record.name == "gunicorn.access" and isinstance(record.args, dict):
                rid = str(record.args.get("{x-request-id}o", "") or "").strip("-")
            record.request_id = rid
        return True


# The access log's atoms (gunicorn's names) worth a field of their own.
_ACCESS_FIELDS = {"m": "method", "U": "path", "q": "query", "s": "status", "B": "bytes",
                  "M": "ms", "h": "remote"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "process": record.process,
            "message": record.getMessage(),
        }
        rid = getattr(record, "request_id", "")
        if rid:
            entry["request_id"] = rid
        if record.name == "gunicorn.access" and isinstance(record.args, dict):
            for atom, field in _ACCESS_FIELDS.items():
                value = record.args.get(atom)
                if value not in (None, "", "-"):
                    entry[field] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False, default=str)


def logging_config(level: str = "INFO") -> dict[str, Any]:
    """One handler, standard error in JSON lines, which every logger reaches."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "bureau.logs.RequestIdFilter"}},
        "formatters": {"json": {"()": "bureau.logs.JsonFormatter"}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr",
                                "filters": ["request_id"], "formatter": "json"}},
        "root": {"handlers": ["stderr"], "level": level.upper()},
        "loggers": {
            # Django's own handlers print only with DEBUG on, or mail ADMINS: let its records
            # (django.request's errors among them) reach the root's handler instead.
            "django": {"handlers": [], "level": "INFO", "propagate": True},
            "django.server": {"handlers": [], "level": "INFO", "propagate": True},
            "httpx": {"level": "WARNING"},
            "httpcore": {"level": "WARNING"},
        },
    }


def configure(config: dict[str, Any]) -> None:
    """Django's LOGGING_CONFIG: the dictionary; warnings and uncaught exceptions are logged
    too, not printed."""
    logging.config.dictConfig(config)
    logging.captureWarnings(True)
    sys.excepthook = _log_uncaught
    threading.excepthook = _log_uncaught_in_thread


def _log_uncaught(kind: type[BaseException], value: BaseException,
                  traceback: TracebackType | None) -> None:
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, value, traceback)
        return
    logging.getLogger("bureau").critical("uncaught exception, the process stops",
                                         exc_info=(kind, value, traceback))


def _log_uncaught_in_thread(args: threading.ExceptHookArgs) -> None:
    if args.exc_value is None or issubclass(args.exc_type, SystemExit):
        return
    name = args.thread.name if args.thread else "?"
    logging.getLogger("bureau").critical("uncaught exception in thread %s", name,
                                         exc_info=(args.exc_type, args.exc_value,
                                                   args.exc_traceback))
