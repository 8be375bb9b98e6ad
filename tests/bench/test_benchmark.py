"""The benchmark runs from end to end on a small register and reports every target and the stock ratios."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="measured once, in the SQLite run of the suite")
def test_the_benchmark_measures_every_target_on_a_small_register(tmp_path):
    report = tmp_path / "report.md"
    environment = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'bench.sqlite3'}"}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    finished = subprocess.run(
        [sys.executable, "-m", "bench", "--people", "1000", "--repeat", "2", "--passes", "2", "--report", str(report)],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert finished.returncode == 0, finished.stderr[-2000:]
    text = report.read_text()
    for target in ("first page", "middle page", "people search by part of a name", "person page", "calendar week",
                   "access package", "Privacy notice from the cache", "Machine speed"):  # fmt: skip
        assert target in text
    # 18 timed pages and the notice's throughput, each met or named among those not met.
    assert "Targets met: " in text and " of 19" in text
    # Six lists, two pages each, against the stock admin.
    assert text.count("×") == 12
    assert "queries, 4 timings)" in finished.stdout  # two passes of two timings each


def test_the_benchmark_refuses_a_bad_argument_in_one_line():
    finished = subprocess.run(
        [sys.executable, "-m", "bench", "--passes", "0"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert finished.returncode != 0
    assert "--passes at least 1" in finished.stderr
