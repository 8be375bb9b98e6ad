"""The generated data requests (with their status history) and the access log of staff views of people."""

from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from bench.scale import Scale
from clients.models import Client
from privacy.access_log import SUPERUSER_ROLE
from privacy.models import AccessLogEntry, DataRequest, RequestEvent
from privacy.requests import add_months

KINDS = ["access"] * 5 + ["rectification"] * 2 + ["portability", "other"]
LOG_DAYS = 700  # within the access log's retention, so purge_expired keeps them


def generate(scale: Scale) -> None:
    """Generate data requests matched to people (with their status history) and staff views of people."""
    rng, loader, now = scale.rng, scale.loader, scale.now
    today = timezone.localdate()
    people = list(
        Client.objects.filter(pk__gte=scale.first_keys["clients.Client"])
        .exclude(email="")
        .values_list("pk", "first_name", "last_name", "email", "coach_id")
    )
    if not people:
        return

    requests, matches, events = [], [], []
    keys = loader.reserve(DataRequest, scale.amount("data_requests"))
    for key, (person, first, last, email, _coach) in zip(keys, rng.sample(people, len(keys)), strict=True):
        received = today - timedelta(days=rng.randint(0, 3 * 365))
        due = add_months(received, 1)
        created = timezone.make_aware(datetime.combine(received, time(9)))
        done = due < today - timedelta(days=7) or rng.random() < 0.5
        status = DataRequest.Status.COMPLETED if done else rng.choice(["received", "in_progress"])
        requests.append((key, rng.choice(KINDS), status, "web", f"{first} {last}", email, created, created, received,
                         due))  # fmt: skip
        matches.append((key, person))
        events.append((key, "received", created))
        if done:
            events.append((key, "completed", created + timedelta(days=rng.randint(1, 25))))
    loader.write(
        DataRequest,
        ["id", "kind", "status", "channel", "name", "email", "created_at", "verified_at", "received_on", "due_on"],
        requests,
    )
    loader.add(DataRequest.people.through, ["datarequest_id", "client_id"], matches)
    loader.add(RequestEvent, ["request_id", "status", "at"], events)

    User = get_user_model()
    coaches = dict(User.objects.filter(pk__in=scale.coach_user_ids).values_list("pk", "username"))
    owner = User.objects.filter(is_superuser=True).order_by("pk").values_list("pk", "username").first()
    coach_role = ", ".join(
        User.objects.filter(pk__in=scale.coach_user_ids[:1]).values_list("groups__name", flat=True).exclude(
            groups__name=None
        )
    )  # fmt: skip

    def entries():
        for _number in range(scale.amount("access_log_entries")):
            person, first, last, _email, coach = rng.choice(people)
            if coach is not None and rng.random() < 0.8:
                user, username, roles = coach, coaches[coach], coach_role
            else:
                user, username, roles = (*owner, SUPERUSER_ROLE) if owner else (None, "", "")
            at = now - timedelta(seconds=rng.randint(0, LOG_DAYS * 86400))
            yield (at, user, username, roles, "viewed", person, "clients.client", str(person), f"{last}, {first}",
                   f"192.0.2.{rng.randint(1, 254)}")  # fmt: skip

    rows = list(entries())
    with loader.indexes_deferred(AccessLogEntry), scale.progress(len(rows), "access log") as bar:
        loader.add(
            AccessLogEntry,
            ["at", "user_id", "username", "roles", "action", "person_id", "object_model", "object_pk",
             "object_label", "ip_address"],
            list(scale.counted(rows, bar)),
        )  # fmt: skip
