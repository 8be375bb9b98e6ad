"""Whose data a staff member may see: the whole register, or only the people they coach.

The owner, the bookkeeper and the privacy handler hold ``register.view_all_people``; a coach does not,
and sees only the people whose responsible coach they are (``Client.coach``), with those people's
emails, notes, appointments and the rest. A row of another coach's client is then not found at all:
the admin answers 404, never the data.

``register.view_person_details`` separates who reads a person's full record from who needs only
their name and billing address (the bookkeeper).
"""

from django.db.models import Q, QuerySet
from django.http import Http404

ALL_PEOPLE = "register.view_all_people"
PERSON_DETAILS = "register.view_person_details"


def sees_everyone(user) -> bool:
    return user.has_perm(ALL_PEOPLE)


def sees_details(user) -> bool:
    return user.has_perm(PERSON_DETAILS)


def own_people(user, path: str = "") -> Q:
    """Return the condition "the person at ``path`` is coached by the user" (path "" for a Client)."""
    return Q(**{f"{path}__coach" if path else "coach": user})


def scope(queryset: QuerySet, user, path: str = "", also: Q | None = None) -> QuerySet:
    """Limit the rows to the user's own people, unless the user sees the whole register.

    ``also`` widens the limit for rows of the user's own besides (their own appointments, say).
    """
    if sees_everyone(user):
        return queryset
    condition = own_people(user, path)
    if also is not None:
        condition |= also
    return queryset.filter(condition)


class ScopedAdminMixin:
    """A ModelAdmin whose rows belong to people: lists, pages and searches show only the visible ones.

    ``person_path`` is the lookup from the row to its person ("" for Client itself, "client" for a row
    with a client foreign key). A page of a row outside the scope answers 404.
    """

    person_path = "client"

    def scope_also(self, request) -> Q | None:
        return None

    def get_queryset(self, request):
        return scope(super().get_queryset(request), request.user, self.person_path, self.scope_also(request))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # A coach can pick only their own people in a form (an appointment's client, say), posted ids included.
        from clients.models import Client, Guardian

        if db_field.related_model is Client:
            kwargs["queryset"] = scope(Client.objects.all(), request.user)
        elif db_field.related_model is Guardian:
            kwargs["queryset"] = scope(Guardian.objects.all(), request.user, "minor")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # Django's change, delete and history views send a missing row to the index with a message;
        # a row outside the scope is missing here, and the answer is a plain 404 (found by the one
        # lookup those views make anyway).
        raise Http404
