"""The benchmark of issue 10: a large register, measured target by target (``make bench``, ``make bench-postgres``).

It makes the data set once with ``python -m bench.generate --people N`` (kept for the next run), then measures each
target in-process with Django's test client, as a signed-in owner, with production settings: the
back-office lists (first page and the middle page) beside the same lists in a stock ModelAdmin, the
people search, the person page, the calendar week, the access package and the cached privacy notice.
It is not part of the test suite: pytest collects only ``tests/``.
"""
