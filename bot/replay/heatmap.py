"""The stability heatmap: scenarios down, perturbation kinds across, each cell the share of runs that
reached the original category and gated actions (green 100 %, red 0 %), written in the cell; the
threshold a flipping scenario crossed is named beside its row."""

from __future__ import annotations

from typing import Any

from bot.png import render
from bot.replay.stability import ScenarioStability
from bot.replay.thresholds import nearest


def heatmap(results: list[ScenarioStability], kinds: list[str], title: str) -> bytes:
    """The PNG."""
    grid = [[r.replays[k].stability for k in kinds] for r in results]

    def draw(axes: Any) -> None:
        image = axes.imshow(grid, cmap="RdYlGn", vmin=0.0, vmax=1.0, aspect="auto")
        axes.set_xticks(range(len(kinds)), labels=kinds)
        axes.set_yticks(range(len(results)), labels=[f"{r.scenario}\n{r.original.category}" for r in results],
                        fontsize=8)
        axes.tick_params(top=True, bottom=False, labeltop=True, labelbottom=False)
        for row, r in enumerate(results):
            for col, kind in enumerate(kinds):
                share = r.replays[kind].stability
                # dark cells (deep green, deep red) take white text; the pale middle takes black
                axes.text(col, row, f"{share:.0%}\n{len(r.replays[kind].runs)} runs", ha="center", va="center",
                          fontsize=8, fontweight="bold", color="black" if 0.2 < share < 0.8 else "white")
            near = nearest(r.record)
            note = ("flips at " + "; ".join(r.flips[:2])) if r.flips else (
                f"nearest: {near[1].split(' ', 1)[1]}" if near else "")
            axes.text(len(kinds) - 0.4, row, note, va="center", fontsize=7, color="#9d0208" if r.flips else "#333333")
        axes.set_title(title, fontsize=10)
        axes.figure.colorbar(image, ax=axes, orientation="horizontal", fraction=0.05, pad=0.04, aspect=40,
                             label="share of runs reaching the original category and gated actions")

    return render((6 + 1.3 * len(kinds), 1.4 + 0.6 * len(results)), draw, tight=True)
