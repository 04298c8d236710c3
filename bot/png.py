"""A matplotlib drawing as PNG bytes, headless: the one place charts choose the Agg backend, lay a figure
out and close it (an unclosed figure stays in pyplot's memory for the life of the bot)."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any


def render(size: tuple[float, float], draw: Callable[[Any], None], *, tight: bool = False) -> bytes:
    """`draw(axes)` on a figure of `size` inches at 100 dpi, as a PNG; `tight` grows the image to take text
    drawn outside the axes (notes beside a heatmap's rows)."""
    # imported when a chart is drawn: matplotlib costs a running bot ~60 MB and a second to import
    import matplotlib

    matplotlib.use("Agg")  # headless: no display on a server
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=size, dpi=100)
    try:
        draw(axes)
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", bbox_inches="tight" if tight else None)
    finally:
        plt.close(figure)
    return buffer.getvalue()
