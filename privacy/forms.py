from django import forms
from django.utils.translation import gettext_lazy as _

from privacy.models import DataRequest


class DataRequestForm(forms.ModelForm):
    # A field people never see: a form that fills it is a robot's.
    website = forms.CharField(required=False, label=_("Leave this empty"))

    class Meta:
        model = DataRequest
        fields = [
            "kind",
            "name",
            "email",
            "phone",
            "details",
            "what_is_wrong",
            "what_is_right",
            "on_behalf_of",
            "relation",
        ]
        widgets = {
            "kind": forms.RadioSelect,
            "details": forms.Textarea(attrs={"rows": 3}),
            "what_is_wrong": forms.Textarea(attrs={"rows": 2}),
            "what_is_right": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name != "kind":
                field.widget.attrs.setdefault("class", "form-control")

    def clean(self):
        data = super().clean()
        if data.get("kind") == DataRequest.Kind.RECTIFICATION and not data.get("what_is_wrong", "").strip():
            self.add_error("what_is_wrong", _("Tell what is wrong in your data."))
        if data.get("on_behalf_of", "").strip() and not data.get("relation", "").strip():
            self.add_error("relation", _("Tell how you are related to the person."))
        return data
