"""StackRoomMiddleware: a request's calls never map and unmap a chunk of CPython's frame stack each.

CPython 3.11 and 3.12 free a 16 KiB chunk of the frame stack as soon as its first frame returns, so a
loop whose calls land on a chunk's end maps a new chunk for every call (python/cpython#142183). These
tests find such an end by starting the same loop at every depth in turn, count the page faults, and show
that the loop run through the middleware faults a handful of times however deep it starts.
"""

import resource
import sys

import pytest
from django.conf import settings
from django.http import HttpResponse

from register.middleware import StackRoomMiddleware

pytestmark = pytest.mark.skipif(
    sys.implementation.name != "cpython" or not (3, 11) <= sys.version_info[:2] < (3, 13),
    reason="only CPython 3.11 and 3.12 keep frames in chunks that are freed at once (3.13 and 3.14 keep one)",
)

CALLS = 300


def _leaf():
    return None


# The leaf's frame is made larger than a step of the descent, so that some depth leaves less room at
# the end of a chunk than the leaf needs while the descent itself still fits.
_leaf.__code__ = _leaf.__code__.replace(co_stacksize=_leaf.__code__.co_stacksize + 100)


def _loop():
    for _call in range(CALLS):
        _leaf()


def _descend(steps, then):
    if steps:
        return _descend(steps - 1, then)
    return then()


def _faults(function) -> int:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    function()
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before


def _worst_depth(run_at) -> int:
    """Return the most page faults of ``run_at(depth)`` over enough depths to pass two chunks' ends."""
    return max(_faults(lambda depth=depth: run_at(depth)) for depth in range(0, 400))


def test_a_loop_at_a_chunks_end_faults_on_every_call_without_the_middleware():
    worst = _worst_depth(lambda depth: _descend(depth, _loop))

    assert worst >= CALLS


def test_through_the_middleware_the_same_loop_faults_a_handful_of_times_at_any_depth():
    def view(request):
        _loop()
        return HttpResponse("ok")

    middleware = StackRoomMiddleware(view)

    worst = _worst_depth(lambda depth: _descend(depth, lambda: middleware(None)))

    assert worst < 40


def test_the_middleware_returns_the_views_response():
    response = StackRoomMiddleware(lambda request: HttpResponse(f"for {request}"))("a request")

    assert response.content == b"for a request"


def test_the_middleware_comes_first_so_that_every_other_one_runs_in_its_chunk():
    assert settings.MIDDLEWARE[0] == "register.middleware.StackRoomMiddleware"
