"""Where a page may send the browser next: only back into Hall itself."""

from __future__ import annotations

from urllib.parse import urlsplit


def local_path(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None (no open redirect through `next`).

    Browsers read "//host", "/\\host" and "\\\\host" as other hosts, and drop tabs and newlines
    from URLs, so each of those is refused rather than cleaned up.
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(character) < 32 or ord(character) == 127 for character in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
