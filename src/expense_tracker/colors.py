"""The ten category colours: their names for people and their CSS classes for charts."""

from __future__ import annotations

# Index n is drawn with the CSS class "c<n>" (variables --c<n> in static/style.css, a light
# and a dark value each). The names are what the colour picker reads out.
COLOR_NAMES = (
    "Teal",
    "Amber",
    "Violet",
    "Pink",
    "Blue",
    "Lime",
    "Red",
    "Cyan",
    "Gold",
    "Slate",
)


def color_class(color: int) -> str:
    """Return the CSS class that paints a category of colour `color` (c0 to c9).

    Every chart, swatch and badge of a category calls this, so a chosen colour looks the
    same everywhere.
    """
    return f"c{color % len(COLOR_NAMES)}"
