"""StackRoomMiddleware: a request's calls never map and unmap a chunk of CPython's frame stack each.

CPython 3.11 and 3.12 free a 16 KiB chunk of the frame stack as soon as its first frame returns, so a
loop whose calls land on a chunk's end maps a new chunk for every call (python/cpython#142183). The test
finds such an end by starting the same loop at every depth in turn, counts the page faults, and shows
that the loop run through the middleware faults a handful of times however deep it starts (skipped on
an interpreter whose loop never faults on every call: one that keeps a freed chunk).
"""

import sys

import pytest
from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.http import HttpResponse

from register import stack_room
from register.stack_room import StackRoomMiddleware

needed = pytest.mark.skipif(
    not stack_room.NEEDED or sys.platform != "linux",
    reason="only CPython 3.11 and 3.12 free a chunk at once; the page faults are counted as Linux counts them",
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
    import resource

    # This thread's own faults: another thread of the test run (a server of another test) is not counted.
    before = resource.getrusage(resource.RUSAGE_THREAD).ru_minflt
    function()
    return resource.getrusage(resource.RUSAGE_THREAD).ru_minflt - before


def _worst_depth(run_at) -> int:
    """Return the most page faults of ``run_at(depth)`` over enough depths to pass two chunks' ends."""
    return max(_faults(lambda depth=depth: run_at(depth)) for depth in range(0, 400))


@needed
def test_a_loop_that_faults_on_every_call_at_a_chunks_end_faults_a_handful_of_times_through_the_middleware():
    without = _worst_depth(lambda depth: _descend(depth, _loop))
    if without < CALLS:
        pytest.skip(f"this interpreter keeps a freed chunk ({without} faults at the worst depth): nothing to show")

    def view(request):
        _loop()
        return HttpResponse("ok")

    middleware = StackRoomMiddleware(view)

    through = _worst_depth(lambda depth: _descend(depth, lambda: middleware(None)))

    assert through < 40


@needed
def test_the_middleware_returns_the_views_response():
    response = StackRoomMiddleware(lambda request: HttpResponse(f"for {request}"))("a request")

    assert response.content == b"for a request"


def test_the_middleware_comes_first_so_that_every_other_one_runs_in_its_chunk():
    assert settings.MIDDLEWARE[0] == "register.stack_room.StackRoomMiddleware"


def test_on_an_interpreter_with_the_fix_the_middleware_leaves_the_chain(monkeypatch):
    monkeypatch.setattr(stack_room, "NEEDED", False)

    with pytest.raises(MiddlewareNotUsed):
        StackRoomMiddleware(lambda request: HttpResponse("ok"))
