"""Batch static export: one Chromium for all figures, MathJax never loaded from a CDN."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import plotly.graph_objects as go
import plotly.io as pio

from danvan_survey.charts.style import HEIGHT, NOOP_MATHJAX, WIDTH
from danvan_survey.errors import InputError

FORMATS = ("png", "svg", "pdf")
PNG_SCALE = 2


def export_figures(
    figures: Mapping[str, go.Figure],
    folder: Path,
    formats: tuple[str, ...] = FORMATS,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Path]:
    """Write every figure in every format with one browser; return ``{"name.ext": path}``.

    PNG at scale 2 (for Word and slides), SVG and PDF (for print).
    """
    folder.mkdir(parents=True, exist_ok=True)
    figs, paths, scales, widths, heights, out = [], [], [], [], [], {}
    for name, fig in figures.items():
        for ext in formats:
            path = folder / f"{name}.{ext}"
            figs.append(fig)
            paths.append(path)
            scales.append(PNG_SCALE if ext == "png" else 1)
            widths.append(fig.layout.width or WIDTH)
            heights.append(fig.layout.height or HEIGHT)
            out[f"{name}.{ext}"] = path
    if progress:
        progress(f"Xuất {len(figures)} biểu đồ × {len(formats)} định dạng ({len(paths)} tệp)")
    pio.defaults.mathjax = str(NOOP_MATHJAX)
    try:
        pio.write_images(figs, paths, scale=scales, width=widths, height=heights,
                         validate=False)
    except RuntimeError as exc:  # kaleido without a browser
        raise InputError(
            f"Không xuất được biểu đồ ra tệp ảnh: {exc}. Cài Chromium "
            "(apt-get install --no-install-recommends chromium fonts-noto-core)."
        ) from exc
    return out
