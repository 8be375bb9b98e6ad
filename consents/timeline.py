"""The person page's share of consents: every ledger event and disclosure, and the current state."""

from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _

from clients.timeline import TimelineEntry, link_provider, summary_provider, timeline_provider
from consents.models import ConsentEvent, ConsentState, Disclosure, MarketingProhibition
from register.choices import choice_label


@timeline_provider
def consent_events(person, user, limit):
    if not user.has_perm("consents.view_consentevent"):
        return
    for event in ConsentEvent.objects.filter(client=person).select_related("purpose")[:limit]:
        what = event.purpose.title if event.purpose else _("all marketing")
        yield TimelineEntry(
            when=event.occurred_at,
            kind=choice_label(event, "kind"),
            title=f"{what} ({choice_label(event, 'channel')})",
            url=reverse_lazy("admin:consents_consentevent_change", args=[event.pk]),
        )


@timeline_provider
def disclosures(person, user, limit):
    if not user.has_perm("consents.view_consentevent"):
        return
    for disclosure in Disclosure.objects.filter(client=person)[:limit]:
        yield TimelineEntry(when=disclosure.disclosed_at, kind=_("disclosure"), title=disclosure.recipient)


@summary_provider
def consents_now(person, user):
    if not user.has_perm("consents.view_consentevent"):
        return []
    given = [
        str(s.purpose) for s in ConsentState.objects.filter(client=person, granted=True).select_related("purpose")
    ]
    items = [(_("consents given"), ", ".join(given) or "-")]
    if MarketingProhibition.objects.filter(client=person).exists():
        items.append((_("marketing"), _("prohibited")))
    return items


@link_provider
def record_consent(person, user):
    if not user.has_perm("consents.add_consentevent"):
        return []
    url = reverse("admin:consents_consentevent_add") + f"?client={person.pk}"
    return [(_("Record a consent"), url)]
