"""The one digest kept in place of a high-entropy secret: token, session or recovery code."""

import hashlib


def sha256_hex(text: str) -> str:
    """Return the SHA-256 of `text` (UTF-8; lone surrogates kept) as 64 hex digits."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
