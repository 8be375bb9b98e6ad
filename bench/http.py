"""The same pages over HTTP: gunicorn with two workers on 127.0.0.1, a signed-in session cookie, a small loop.

The workers share a file-based cache in a temporary folder (production shares Redis): the benchmark
empties it before each first visit, as it does its own cache in-process. The loop is bounded in
requests (``visits`` of each kind per page) and in time (``budget`` seconds for all the pages).
"""

from __future__ import annotations

import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.dataset import BASE_DIR
from bench.pages import last_row, pages, percentile_95, touch

REQUEST_TIMEOUT = 30


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_up(url: str, server: subprocess.Popen, seconds: float = 60) -> None:
    import requests

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn stopped at start: {server.stderr.read()[-500:]}")
        try:
            requests.get(url, timeout=10)
            return
        except requests.RequestException:  # not listening yet, or a worker still loading the app
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer within a minute")


def measure_http(session_key: str, visits: int, budget: float, out) -> list[dict]:
    """Start gunicorn, time every page's first and warm visits over HTTP, stop it; return the figures."""
    import requests
    from django.conf import settings

    port = _free_port()
    cache_dir = Path(tempfile.mkdtemp(prefix="register-bench-cache-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        "CACHE_URL": f"filecache://{cache_dir}",
        "PYTHONPATH": str(BASE_DIR),
    }
    command = [
        sys.executable, "-m", "gunicorn", "register.wsgi", "--workers", "2", "--bind", f"127.0.0.1:{port}",
        "--chdir", str(BASE_DIR), "--log-level", "warning",
    ]  # fmt: skip
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)  # noqa: S603
    results = []
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_until_up(f"{base}/healthz", server)
        browser = requests.Session()
        browser.headers["Accept-Encoding"] = "gzip"
        # Sent as a header of every request: the session cookie the server sets back is marked Secure
        # (production settings), and a cookie jar would stop sending it over plain HTTP.
        browser.headers["Cookie"] = f"{settings.SESSION_COOKIE_NAME}={session_key}"
        deadline = time.monotonic() + budget
        # Each worker loads the rest of the app on its first requests: not what a staff member meets.
        for _warm_up in range(6):
            browser.get(base + "/admin/", timeout=REQUEST_TIMEOUT)

        def get(url: str) -> float:
            started = time.perf_counter()
            response = browser.get(base + url, timeout=REQUEST_TIMEOUT, allow_redirects=False)
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                raise RuntimeError(f"{url} answered {response.status_code} over HTTP; the benchmark needs 200.")
            return elapsed

        for page in pages():
            if time.monotonic() > deadline:
                out.write(f"  over HTTP: out of time before {page.name}\n")
                break
            row = page.row or last_row(page.model)
            first, warm = [], []
            for _number in range(visits):
                touch(page.model, row)
                for entry in cache_dir.iterdir():
                    shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
                first.append(get(page.url))
            # Both workers warmed: each gets a few requests before the timed ones.
            for _warm_up in range(4):
                get(page.url)
            for _number in range(visits):
                warm.append(get(page.url))
            figures = {
                "name": page.name,
                "first_median": statistics.median(first),
                "first_p95": percentile_95(first),
                "warm_median": statistics.median(warm),
                "warm_p95": percentile_95(warm),
                "visits": visits,
            }
            results.append(figures)
            out.write(f"  over HTTP, {page.name}: first p95 {figures['first_p95']:.1f} ms, warm p95 "
                      f"{figures['warm_p95']:.1f} ms\n")  # fmt: skip
            out.flush()
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(cache_dir, ignore_errors=True)
    return results
