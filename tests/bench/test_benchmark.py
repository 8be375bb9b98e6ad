"""The benchmark runs from end to end on a tiny register and reports every section with its figures.

No timing is asserted: the machine decides those. What is asserted is that the report has the HTTP
table, the first-visit and warm figures, the tuned-stock ratios, the batch work and the verdict line.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="measured once, in the SQLite run of the suite")
def test_the_benchmark_reports_first_visits_warm_visits_stock_ratios_and_batch_work(tmp_path):
    report = tmp_path / "report.md"
    environment = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'bench.sqlite3'}"}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    finished = subprocess.run(
        [sys.executable, "-m", "bench", "--people", "200", "--repeat", "2", "--batch-rows", "50",
         "--report", str(report)],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert finished.returncode == 0, finished.stderr[-3000:] + finished.stdout[-3000:]
    text = report.read_text()
    sections = [
        "### Over HTTP: gunicorn, 2 workers",
        "### Pages in-process, 200 people: first visit",
        "### Beside a tuned stock ModelAdmin",
        "### Batch work: rows per second and peak memory",
        "Privacy notice from the cache",
    ]
    positions = [text.index(section) for section in sections]
    assert positions[0] == min(positions), "the HTTP table comes first"
    pages = ["people list", "people, clients only", 'people search "nen"', "appointments list",
             'appointments, "booked"', "appointments, page", "invoices list", "consent events list",
             "data requests list", "access log", "calendar week", "dashboard", "privacy notice"]  # fmt: skip
    for page in pages:
        # Each page has a row of figures in-process: medians and 95th percentiles of first and warm visits.
        row = rf"\| {re.escape(page)}[^|]* \| [\d.]+ \| [\d.]+ \| [\d.]+ \| [\d.]+ \| \d+/\d+ \|"
        assert re.search(row, text), page
    # Ten lists beside the tuned stock admin, each with a ratio.
    assert len(re.findall(r"\| \d+\.\d\d \| \d+\.\d\d \| \d+/\d+ \| ≤ 1\.1: (met|\*\*missed\*\*) \|", text)) == 10
    for job in ("people CSV import", "Mailchimp batch", "purge_expired", "camt.054 import", "backup", "restore"):
        assert re.search(rf"\| {re.escape(job)} \| 200 \| [\d_]+ \| [\d.]+ \| [\d_]+ \|", text), job
    verdict = re.search(r"Targets met: (\d+) of (\d+)", text)
    assert verdict and int(verdict[1]) <= int(verdict[2])


def test_the_benchmark_refuses_a_bad_argument_in_one_line():
    finished = subprocess.run(
        [sys.executable, "-m", "bench", "--repeat", "1"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert finished.returncode != 0
    assert "--repeat at least 2" in finished.stderr
