"""Reading what a server answered when it is not the API the user meant to reach, and why
a request got no answer at all: one owner for both, so Grafana's and Prometheus's clients
say the same thing for the same failure."""

from __future__ import annotations

import re

DNS_HINTS = (
    "name or service not known",
    "failed to resolve",
    "nodename nor servname",
    "temporary failure in name resolution",
    "no address associated",
    "getaddrinfo",
)


def looks_like_html(text: str) -> bool:
    """An HTML page (an SSO login, a proxy's error page) rather than an API answer."""
    head = text.lstrip()[:200].lower()
    return head.startswith(("<!doctype html", "<html")) or "<body" in head


def refused(error: BaseException | None) -> bool:
    """Whether ``error`` (or what caused it) is a refused connection: nothing listens there,
    an answer that waiting or retrying will not change."""
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, ConnectionRefusedError) or "connection refused" in str(error).lower():
            return True
        error, seen = error.__cause__ or error.__context__, seen + 1
    return False


def no_answer(error: BaseException, timeout: float | None = None) -> str:
    """Why a request got no answer, in a few words ("connection refused", "no answer within
    30 s", "cannot resolve host x"), never a Python repr cut mid-word."""
    text = " ".join(str(error).split())
    lowered = text.lower()
    if refused(error):
        return "connection refused"
    if any(hint in lowered for hint in DNS_HINTS):
        host = re.search(r"host='([^']*)'", text)
        return f"cannot resolve host {host.group(1)}" if host else "cannot resolve the host"
    if "timed out" in lowered or "timeout" in type(error).__name__.lower():
        return f"no answer within {timeout:g} s" if timeout else "timed out"
    return short_reason(text)


def short_reason(text: str) -> str:
    """The interesting part of an error's text: the system's reason (``[Errno n] ...``), else
    what a wrapped error says ("Caused by ..."), without object addresses, at most 300
    characters."""
    errno = re.search(r"\[Errno -?\d+\] ([^'\")]+)", text)
    if errno:
        return errno.group(1).strip().lower()
    match = re.search(r"\(Caused by \w+\((.*)\)\)", text)
    found = match.group(1) if match else text
    found = re.sub(r"<[\w.]+ object at 0x[0-9a-f]+>: ", "", found)
    return found if len(found) <= 300 else found[:300].rsplit(" ", 1)[0] + " ..."
