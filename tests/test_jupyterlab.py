"""Notebooks as an analyst meets them: executed, then opened in JupyterLab in Chromium.

A 1366 px laptop window with JupyterLab's file browser open leaves a notebook output about
900 px wide. Every chart must be drawn inside that width: no sideways scroll, and no title,
legend or footer text past the output's right edge. Measured in the page JupyterLab draws
(through the DevTools protocol), not in the notebook file.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

NB_DIR = Path(__file__).resolve().parent.parent / "notebooks"
#: Notebooks with the widest charts (two-panel comparison; the priority list and the map;
#: five capacity panels) and the number of charts each draws.
NOTEBOOKS = {"03-em-areas": 3, "04-weak-organisations": 2, "05-cadre-capacity": 2}
WINDOW = (1366, 6000)  # a laptop's width; tall, so that every output is drawn

#: Worst overflow in px over every chart (> 0: something is cut or needs a sideways scroll).
PROBE = """(() => {
  const plots = [...document.querySelectorAll('.jp-NotebookPanel .js-plotly-plot')];
  let worst = -1e9, drawn = 0;
  for (const p of plots) {
    if (!p.querySelector('.main-svg')) continue;
    drawn += 1;
    const area = p.getBoundingClientRect();  // the output: it scrolls what is wider
    worst = Math.max(worst, p.scrollWidth - p.clientWidth);
    for (const t of p.querySelectorAll('.annotation-text, .gtitle, .legendtext')) {
      worst = Math.max(worst, t.getBoundingClientRect().right - area.right);
    }
  }
  const browser = document.querySelector('.jp-FileBrowser');
  return JSON.stringify({drawn, worst: Math.round(worst),
                         output: plots.length ? Math.round(plots[0].clientWidth) : 0,
                         files: !!browser && browser.getBoundingClientRect().width > 100});
})()"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def lab(demo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo project with the notebooks executed and trusted, served by JupyterLab."""
    import nbformat
    from nbclient import NotebookClient
    from nbformat.sign import NotebookNotary

    folder = demo_root / "notebooks"
    folder.mkdir(exist_ok=True)
    for name in NOTEBOOKS:
        nb = nbformat.read(NB_DIR / f"{name}.ipynb", as_version=4)
        NotebookClient(nb, timeout=300, kernel_name="python3",
                       resources={"metadata": {"path": str(folder)}}).execute()
        NotebookNotary().sign(nb)  # as after running it in JupyterLab: outputs trusted
        nbformat.write(nb, folder / f"lab-{name}.ipynb")
    port = _free_port()
    state = tmp_path_factory.mktemp("lab-state")
    env = {**os.environ, "JUPYTERLAB_WORKSPACES_DIR": str(state / "workspaces"),
           "JUPYTERLAB_SETTINGS_DIR": str(state / "settings")}
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", f"--port={port}",
         "--ServerApp.token=", "--ServerApp.password=", f"--ServerApp.root_dir={demo_root}"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{base}/api/status", timeout=2)  # noqa: S310
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("JupyterLab did not start")
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


async def _measure(url: str, charts: int) -> dict[str, int]:
    import choreographer

    browser_path = shutil.which("chromium") or shutil.which("chromium-browser")
    assert browser_path, "chromium is required (apt-get install chromium)"
    async with choreographer.Browser(path=browser_path, headless=True) as browser:
        tab = await browser.create_tab("")
        await tab.send_command("Emulation.setDeviceMetricsOverride", params={
            "width": WINDOW[0], "height": WINDOW[1], "deviceScaleFactor": 1, "mobile": False})
        await tab.send_command("Page.navigate", params={"url": url})
        result: dict[str, int] = {"drawn": 0}
        for _ in range(240):
            await asyncio.sleep(0.5)
            reply = await tab.send_command("Runtime.evaluate",
                                           params={"expression": PROBE, "returnByValue": True})
            value = reply.get("result", {}).get("result", {}).get("value")
            if value:
                result = json.loads(value)
            if result["drawn"] >= charts:
                await asyncio.sleep(2)  # let plotly finish laying out
                reply = await tab.send_command(
                    "Runtime.evaluate", params={"expression": PROBE, "returnByValue": True})
                return dict(json.loads(reply["result"]["result"]["value"]))
        return result


@pytest.mark.parametrize("name", list(NOTEBOOKS))
def test_charts_fit_beside_the_file_browser(lab: str, name: str) -> None:
    url = f"{lab}/lab/tree/notebooks/lab-{name}.ipynb?reset"
    seen = asyncio.run(_measure(url, NOTEBOOKS[name]))
    assert seen["drawn"] == NOTEBOOKS[name], seen  # every chart drawn
    assert seen["files"], seen  # the file browser is open, as JupyterLab starts
    assert 800 <= seen["output"] <= 1000, seen  # the output width this test is about
    assert seen["worst"] <= 0, seen  # nothing cut, no sideways scroll
