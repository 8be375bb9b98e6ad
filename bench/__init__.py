"""The benchmark of issue 18: the back office measured as staff meet it (``make bench``, ``make bench-postgres``).

It makes each register size's data set once with ``python -m bench.generate --people N`` (kept for the next run), then
times every page's first visit after a change and its warm visits, over HTTP with gunicorn and
in-process, beside a tuned stock ModelAdmin, and the batch jobs' rows per second and peak memory,
with production settings. It is not part of the test suite: pytest collects only ``tests/``.
"""
