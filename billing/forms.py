from django import forms
from django.utils.translation import gettext_lazy as _


class FeedbackForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("How was your visit?"),
        choices=[(n, str(n)) for n in range(5, 0, -1)],
        coerce=int,
        widget=forms.RadioSelect,
        help_text=_("5 is the best."),
    )
    comment = forms.CharField(
        label=_("Anything else? (optional)"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
