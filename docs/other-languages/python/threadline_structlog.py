"""Threadline's log-line schema (docs/schema.md, 1.0.0) from structlog, so Python services correlate with the Java ones.

One JSON object per line, the same keys in the same order; requestId / trace_id / span_id come from structlog's
context variables, which `correlate()` binds for the duration of a request. Copy this file into a service; it needs
structlog 23 or later (only `configure()` imports it) and Python 3.9 or later.
"""
import contextlib
import datetime
import hashlib
import json
import re
import secrets
import socket
import sys
import threading
import traceback

RESERVED = ("timestamp", "level", "service", "env", "version", "host", "logger", "thread", "message",
            "requestId", "trace_id", "span_id", "tags", "error")
LEVELS = {"critical": "error", "exception": "error", "error": "error", "warning": "warn", "warn": "warn",
          "info": "info", "debug": "debug", "notset": "trace"}
TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$")
REQUEST_ID = re.compile(r"^[A-Za-z0-9._:+/=-]{1,128}$")
_STRUCTLOG_KEYS = ("event", "level", "logger", "exc_info", "timestamp", "_record", "_from_structlog")


def _timestamp():
    # Six fractional digits and Z, as the schema asks.
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _hex(nbytes):
    while True:
        value = secrets.token_hex(nbytes)
        if value.strip("0"):
            return value


def fingerprint(exc):
    """Same bug, same fingerprint: exception types and frames' module and function names, no messages or lines."""
    parts = []
    seen = 0
    while exc is not None and seen < 16:
        parts.append(type(exc).__module__ + "." + type(exc).__qualname__)
        for frame in traceback.extract_tb(exc.__traceback__)[-32:]:
            parts.append(frame.filename.rsplit("/", 1)[-1] + ":" + frame.name)
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def _error(exc_info):
    if exc_info is True:
        exc_info = sys.exc_info()
    exc = exc_info if isinstance(exc_info, BaseException) else exc_info[1] if exc_info else None
    if exc is None:
        return None
    error = {"type": type(exc).__qualname__}
    if str(exc):
        error["message"] = str(exc)
    error["stack"] = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)).rstrip("\n")
    error["fingerprint"] = fingerprint(exc)
    return error


def threadline_processor(service=None, env=None, version=None):
    """The last structlog processor before the renderer: reorders and renames the event into the schema."""
    host = socket.gethostname()

    def process(logger, method_name, event_dict):
        line = {"timestamp": _timestamp(),
                "level": LEVELS.get(str(event_dict.get("level", method_name)).lower(), "info")}
        for key, value in (("service", service), ("env", env), ("version", version), ("host", host)):
            if value:
                line[key] = value
        line["logger"] = str(event_dict.get("logger") or getattr(logger, "name", None) or "root")
        line["thread"] = threading.current_thread().name
        line["message"] = str(event_dict.get("event", ""))
        for key in ("requestId", "trace_id", "span_id"):
            if event_dict.get(key):
                line[key] = str(event_dict[key])
        for key, value in event_dict.items():
            if key in _STRUCTLOG_KEYS or key in ("requestId", "trace_id", "span_id"):
                continue
            name = key
            while name in RESERVED or name in line:
                name = "_" + name
            line[name] = value
        error = _error(event_dict.get("exc_info"))
        if error:
            line["error"] = error
        return line

    return process


def render(logger, method_name, line):
    """One line of JSON, keys in the processor's order; anything json cannot write becomes its str()."""
    return json.dumps(line, ensure_ascii=False, separators=(",", ":"), default=str)


def configure(service, env=None, version=None):
    """structlog, configured to write Threadline lines to stdout."""
    import structlog

    structlog.configure(processors=[
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        threadline_processor(service, env, version),
        render,
    ], logger_factory=structlog.PrintLoggerFactory())


@contextlib.contextmanager
def correlate(headers):
    """Binds the request's correlation (the caller's traceparent and X-Request-Id, or a new trace) for its duration."""
    import structlog

    lower = {k.lower(): v for k, v in headers.items()}
    parent = TRACEPARENT.match(str(lower.get("traceparent", "")))
    offered = str(lower.get("x-request-id", "")).strip()
    trace_id = parent.group(1) if parent and parent.group(1).strip("0") else _hex(16)
    request_id = offered if REQUEST_ID.match(offered) else _hex(10)
    tokens = structlog.contextvars.bind_contextvars(requestId=request_id, trace_id=trace_id, span_id=_hex(8))
    try:
        yield request_id
    finally:
        structlog.contextvars.reset_contextvars(**tokens)


def outbound_headers(event_dict):
    """Headers for an outbound call, from the bound context: the next service continues the trace."""
    return {"traceparent": "00-%s-%s-01" % (event_dict["trace_id"], _hex(8)), "X-Request-Id": event_dict["requestId"]}
