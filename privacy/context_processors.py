from datetime import timedelta
from functools import cache

from django.utils import timezone


def due_requests(request):
    """Tell the back office's pages how many data requests are due within a week or overdue.

    The figure is counted only when a page shows it (a template calls the function): the first page
    does, the hundreds of other pages need not count on every load.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.has_perm("privacy.view_datarequest"):
        return {}
    from privacy.models import DataRequest

    @cache
    def count() -> int:
        soon = timezone.localdate() + timedelta(days=7)
        return DataRequest.objects.open().filter(due_on__lte=soon).count()

    return {"due_requests_count": count}
