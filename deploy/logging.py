"""Structured logs: one JSON object per line, each carrying the id of the request that caused it.

``RequestIdMiddleware`` takes the caller's ``X-Request-ID`` (from the proxy or the ingress) when it is
well formed, or makes one, keeps it in a context variable for the request, and returns it in the
response header. ``RequestIdFilter`` copies it onto every log record; ``JsonFormatter`` writes the
record as JSON with the request id, so one request's lines can be found across web and log storage.
"""

import contextvars
import json
import logging
import re
import uuid
from datetime import UTC, datetime

from dramatiq.middleware import Middleware

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


def current_request_id() -> str:
    """The id of the request being handled in this thread or task, or ``"-"`` outside one."""
    return request_id_var.get()


class RequestIdMiddleware:
    """Assign each request an id (reusing a well-formed incoming ``X-Request-ID``) and echo it back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response[REQUEST_ID_HEADER] = request_id
        return response


class RequestIdFilter(logging.Filter):
    """Put the current request id on every record (``-`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        return True


# Attributes every LogRecord has; anything else on a record came from ``extra=`` and is logged too.
_STANDARD_ATTRS = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "request_id"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, request id, extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or request_id_var.get(),
            "process": record.process,
            "thread": record.threadName,
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def logging_config(level: str = "INFO", fmt: str = "json") -> dict:
    """A ``LOGGING`` dict writing to stderr, as JSON (``fmt="json"``) or as plain text."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "deploy.logging.RequestIdFilter"}},
        "formatters": {
            "json": {"()": "deploy.logging.JsonFormatter"},
            "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "filters": ["request_id"],
                "formatter": "json" if fmt == "json" else "text",
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "WARNING"},
            "django_tasks": {"level": "WARNING"},
            "wagtail": {"level": "WARNING"},
            "gunicorn.error": {"level": level, "handlers": ["console"], "propagate": False},
            "gunicorn.access": {"level": level, "handlers": ["console"], "propagate": False},
        },
    }


class MessageRequestIdMiddleware(Middleware):
    """Carry the request id into the messages a request enqueues, and set it while a worker handles them.

    A worker's log lines then carry the id of the web request that caused the work (or the message id for
    work the scheduler enqueued), so one user action can be followed from the web log into the workers'.
    """

    def before_enqueue(self, broker, message, delay):
        request_id = request_id_var.get()
        if request_id != "-" and "request_id" not in message.options:
            message.options["request_id"] = request_id

    def before_process_message(self, broker, message):
        request_id_var.set(message.options.get("request_id") or f"msg-{message.message_id}")

    def after_process_message(self, broker, message, *, result=None, exception=None):
        request_id_var.set("-")  # worker threads are the worker's own: nothing else to restore

    after_skip_message = after_process_message
