"""Plotly figures as static SVG for the meeting pack (kaleido ≥ 1, driving the system Chromium).

The pack used to embed plotly.js (4.9 MB) and draw in the reader's browser; a static SVG per
chart keeps the HTML small, opens offline, prints exactly as rendered and carries no script.
kaleido finds Chrome through ``BROWSER_PATH``; we point it at Debian's ``/usr/bin/chromium``
(``reports.pdf.CHROMIUM``, the browser that prints the PDF) unless the environment says otherwise.
"""

from __future__ import annotations

import asyncio
import base64
import os
from collections.abc import Sequence
from pathlib import Path

import plotly
import plotly.graph_objects as go

from reports.pdf import CHROMIUM


def svg_images(figures: Sequence[go.Figure], *, width: int, height: int) -> list[str]:
    """Each figure as an SVG ``data:`` URI (for ``<img src>``), rendered in one browser of its
    own (safe when two people make a pack at once), with plotly.js from the plotly package and
    no MathJax: nothing is fetched from the network."""
    if not figures:
        return []
    if os.path.exists(CHROMIUM):
        os.environ.setdefault("BROWSER_PATH", CHROMIUM)
    images = asyncio.run(_render(list(figures), {"format": "svg", "width": width,
                                                 "height": height}))
    return ["data:image/svg+xml;base64," + base64.b64encode(image).decode("ascii")
            for image in images]


async def _render(figures: list[go.Figure], opts: dict) -> list[bytes]:
    import kaleido

    plotlyjs = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    async with kaleido.Kaleido(n=1, plotlyjs=plotlyjs, mathjax=False) as k:
        return [await k.calc_fig(fig, opts=opts) for fig in figures]
