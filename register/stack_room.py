"""A work-around for a CPython 3.11 and 3.12 slowdown: every request gets a chunk of the frame stack of its own.

CPython keeps the frames of Python functions in 16 KiB chunks and, before the fix of python/cpython#142183
(March 2026, in the 3.13 and 3.14 maintenance releases; 3.11 and 3.12 take security fixes only and never
got it), freed a chunk as soon as its first frame returned. A loop whose calls cross a chunk's end, such
as a list page's fifty rows each calling a formatter, then maps and unmaps 16 KiB on every call: measured
on the people list, 1,386 page faults and 33 ms a request instead of 10 faults and 17 ms, depending only on
how deep the server's stack happened to be when the request began.

A frame that does not fit in the current chunk gets a new chunk at least 8 KiB larger than itself, a
power of two: calling the rest of the request through a function whose frame is 57 KiB gives the request
a 128 KiB chunk, of which the deepest page measured uses 20 KiB. On a fixed interpreter (3.13 and later)
the middleware takes itself out of the chain at start-up. Remove this module once the project runs on
Python 3.13 or later; Debian 12 ships only 3.11, which is why it is still here.
"""

import sys

from django.core.exceptions import MiddlewareNotUsed

ROOMY_FRAME_SLOTS = 7300  # 8-byte slots: a 57 KiB frame
NEEDED = sys.implementation.name == "cpython" and (3, 11) <= sys.version_info < (3, 13)


def call_with_room(function, argument):
    """Return ``function(argument)``, called from a frame large enough to start a chunk of its own."""
    return function(argument)


if NEEDED:
    # A larger co_stacksize only sizes the frame: the interpreter never reads the slots it does not use.
    call_with_room.__code__ = call_with_room.__code__.replace(
        co_stacksize=call_with_room.__code__.co_stacksize + ROOMY_FRAME_SLOTS
    )


class StackRoomMiddleware:
    """Run the rest of the request in a frame-stack chunk of its own; first in MIDDLEWARE (see above)."""

    def __init__(self, get_response):
        if not NEEDED:
            raise MiddlewareNotUsed("This interpreter keeps a freed frame-stack chunk for reuse.")
        self.get_response = get_response

    def __call__(self, request):
        return call_with_room(self.get_response, request)
