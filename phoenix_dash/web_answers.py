"""Reading what a server answered when it is not the API the user meant to reach."""

from __future__ import annotations


def looks_like_html(text: str) -> bool:
    """An HTML page (an SSO login, a proxy's error page) rather than an API answer."""
    head = text.lstrip()[:200].lower()
    return head.startswith(("<!doctype html", "<html")) or "<body" in head
