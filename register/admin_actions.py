"""A helper for back-office actions that apply a service function to each selected row."""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError


def apply_to_each(model_admin, request, queryset, operation: Callable, done_message: str) -> int:
    """Run ``operation`` on each row; report how many succeeded and, row by row, why others were refused.

    ``operation`` returns a false value to skip a row silently; a ValidationError refuses it with its
    message. ``done_message`` is formatted with ``count``.
    """
    done = 0
    for row in queryset:
        try:
            if operation(row) is not False:
                done += 1
        except ValidationError as error:
            model_admin.message_user(request, f"{row}: {' '.join(error.messages)}", messages.WARNING)
    if done:
        model_admin.message_user(request, done_message % {"count": done})
    return done
