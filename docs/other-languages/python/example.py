"""Runs the schema processor as structlog would call it and prints the lines; the docs test validates them.

structlog itself is not needed here: the processor chain is called directly with the event dicts structlog's
merge_contextvars and add_log_level would hand it.
"""
import threadline_structlog as tl

process = tl.threadline_processor(service="billing-py", env="demo", version="2.0.1")


def emit(method, event_dict):
    print(tl.render(None, method, process(None, method, event_dict)))


emit("info", {"event": "service started", "level": "info"})
context = {"requestId": "req-py-1", "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736", "span_id": "00f067aa0ba902b7"}
emit("info", dict(context, event="charging card", level="info", logger="billing.http", orderId=42, amount=12.5))
emit("warning", dict(context, event="slow downstream", level="warning", duration_ms=812.5, message="user value"))
try:
    {}["card"]
except KeyError as e:
    emit("error", dict(context, event="payment failed", level="error", exc_info=e))
