from datetime import date, timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from reports.periods import first_of_month, previous_month

# Five years covers any bookkeeping question (six-year retention aside) and keeps one export sensible.
LONGEST_PERIOD_DAYS = 5 * 366


class DateRangeForm(forms.Form):
    """A report's period, both days included; the previous calendar month when none is given."""

    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    end = forms.DateField(label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    @classmethod
    def for_request(cls, query, *, today: date) -> "DateRangeForm":
        """Return the form bound to the query string, or to the previous month when it names no dates."""
        if "start" in query or "end" in query:
            return cls(query)
        last_month = previous_month(today)
        return cls({"start": last_month, "end": first_of_month(today) - timedelta(days=1)})

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("The end date must be on or after the start date."))
            elif (end - start).days >= LONGEST_PERIOD_DAYS:
                self.add_error("end", _("Choose a period of at most five years."))
        return cleaned
