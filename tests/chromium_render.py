"""Render an HTML file in headless Chromium and inspect which plotly figures drew.

Used by the report tests. Chromium is Debian's ``chromium`` (CI's ``.ci/run``
installs it); tests skip with a clear reason only if it is not installed.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser")

_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--hide-scrollbars",
)

_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}


def find_chromium() -> str | None:
    """Return the chromium executable, or None if it is not installed."""
    for c in CHROMIUM_CANDIDATES:
        p = shutil.which(c)
        if p:
            return p
    return None


def _run(args: list[str], timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, timeout=timeout, check=False)


def dump_dom(chromium: str, html_file: Path, *, budget_ms: int = 15000, timeout: float = 120.0) -> str:
    """Return the DOM after the page ran its scripts (``--dump-dom`` after a virtual-time budget)."""
    with tempfile.TemporaryDirectory(prefix="chromium-") as ud:
        proc = _run(
            [chromium, *_FLAGS, f"--user-data-dir={ud}", f"--virtual-time-budget={budget_ms}",
             "--dump-dom", html_file.resolve().as_uri()],
            timeout,
        )
    if proc.returncode != 0 or not proc.stdout:
        msg = f"chromium failed ({proc.returncode}): {proc.stderr.decode(errors='replace')[-2000:]}"
        raise RuntimeError(msg)
    return proc.stdout.decode("utf-8", errors="replace")


def screenshot(chromium: str, html_file: Path, png: Path, *, width: int = 1280, height: int = 4000,
               budget_ms: int = 15000, timeout: float = 120.0) -> None:
    """Save a screenshot of the rendered page."""
    png.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="chromium-") as ud:
        proc = _run(
            [chromium, *_FLAGS, f"--user-data-dir={ud}", f"--virtual-time-budget={budget_ms}",
             f"--window-size={width},{height}", f"--screenshot={png.resolve()}", html_file.resolve().as_uri()],
            timeout,
        )
    if proc.returncode != 0 or not png.is_file():
        msg = f"chromium screenshot failed ({proc.returncode}): {proc.stderr.decode(errors='replace')[-2000:]}"
        raise RuntimeError(msg)


@dataclass
class Figure:
    """What one plotly figure div holds after rendering."""

    div_id: str
    main_svg: int = 0
    drawn: int = 0  # drawn marks: bar/box/line paths, points, heat-map images
    texts: list[str] = field(default_factory=list)


class _FigureParser(HTMLParser):
    """Collect, for every ``plotly-graph-div``, its main-svg count, drawn marks and texts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, Figure | None, bool, bool]] = []
        self.figures: list[Figure] = []

    def _current(self) -> Figure | None:
        for _, f, _m, _x in reversed(self.stack):
            if f is not None:
                return f
        return None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        cls = (a.get("class") or "").split()
        fig = None
        if tag == "div" and "plotly-graph-div" in cls:
            fig = Figure(a.get("id") or "")
            self.figures.append(fig)
        cur = fig or self._current()
        # a mark group: a bar or marker (g.point) or a heat map (g.hm)
        mark = tag == "g" and ("point" in cls or "hm" in cls)
        # legends, colour bars and menus are not data marks
        skip = tag == "g" and any(c in cls for c in ("legend", "infolayer", "menulayer", "colorbar"))
        in_mark = any(m for _, _, m, _x in self.stack)
        skipped = any(x for _, _, _m, x in self.stack) or skip
        if cur is not None:
            if tag == "svg" and "main-svg" in cls:
                cur.main_svg += 1
            marky = in_mark or any(c in cls for c in ("point", "js-line", "box"))
            if tag in ("path", "image") and marky and not skipped:
                cur.drawn += 1
        if tag not in _VOID:
            self.stack.append((tag, fig, mark, skip))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID and self.stack and self.stack[-1][0] == tag:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        cur = self._current()
        if cur is not None and data.strip() and self.stack and self.stack[-1][0] in ("text", "tspan", "a"):
            cur.texts.append(data.strip())


def rendered_figures(dom: str) -> list[Figure]:
    """Return the plotly figures of a dumped DOM with what each drew."""
    p = _FigureParser()
    p.feed(dom)
    return p.figures
