"""A matplotlib drawing as PNG bytes, headless: the one place charts lay a figure out and render it.

Figures are made without pyplot: pyplot keeps a global registry of open figures that is not safe to use
from several threads, and charts are drawn in worker threads (a stats request's three charts, an
investigation's trend chart and App Home can be drawn at once). A Figure of its own, rendered by the Agg
canvas, shares nothing and is freed with its last reference.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any


def render(size: tuple[float, float], draw: Callable[[Any], None], *, tight: bool = False) -> bytes:
    """`draw(axes)` on a figure of `size` inches at 100 dpi, as a PNG; `tight` grows the image to take text
    drawn outside the axes (notes beside a heatmap's rows)."""
    # imported when a chart is drawn: matplotlib costs a running bot ~60 MB and a second to import
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=size, dpi=100)
    FigureCanvasAgg(figure)  # headless: the Agg canvas, whatever backend pyplot would have picked
    draw(figure.add_subplot())
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight" if tight else None)
    return buffer.getvalue()
