"""What the browser tests share: a page that may reach only where it was opened from."""

from __future__ import annotations

from typing import Any


def guarded_page(browser: Any, allowed: tuple[str, ...],
                 viewport: dict[str, int]) -> tuple[Any, Any, dict[str, list[str]]]:
    """(context, page, seen): a new page whose requests outside `allowed` (URL prefixes) are blocked and
    counted in seen["requests"], with console errors, page errors and dialogs (dismissed) recorded."""
    seen: dict[str, list[str]] = {"requests": [], "errors": [], "dialogs": []}
    context = browser.new_context(viewport=viewport, accept_downloads=True)
    page = context.new_page()

    def route(r: Any) -> None:
        if r.request.url.startswith((*allowed, "blob:", "data:")):
            r.continue_()
        else:
            seen["requests"].append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: seen["errors"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
    return context, page, seen
