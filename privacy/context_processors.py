from datetime import timedelta

from django.utils import timezone


def due_requests(request):
    """Tell the back office's pages how many data requests are due within a week or overdue."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.has_perm("privacy.view_datarequest"):
        return {}
    from privacy.models import DataRequest

    soon = timezone.localdate() + timedelta(days=7)
    return {"due_requests_count": DataRequest.objects.open().filter(due_on__lte=soon).count()}
