"""Import and export of the people list (CSV, XLSX) through django-import-export."""

from datetime import datetime

from django.utils import translation
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets

from clients.models import Client
from clients.phones import format_phone


class FinnishDateWidget(widgets.DateWidget):
    """Read dates as a spreadsheet from Finland writes them (31.12.1990) or in ISO form (1990-12-31)."""

    FORMATS = ("%d.%m.%Y", "%Y-%m-%d", "%d.%m.%y")

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        if hasattr(value, "year"):
            return value.date() if isinstance(value, datetime) else value
        for date_format in self.FORMATS:
            try:
                return datetime.strptime(str(value).strip(), date_format).date()
            except ValueError:
                continue
        raise ValueError(_("Enter the date as 31.12.1990 or 1990-12-31."))


class ChoiceWidget(widgets.Widget):
    """Accept a choice by its code or its label in Finnish or English; empty gives the default."""

    def __init__(self, choices, default):
        super().__init__()
        self.choices = choices
        self.default = default

    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip().lower()
        if not text:
            return self.default
        for code, label in self.choices.choices:
            names = {code.lower()}
            for language in ("fi", "en"):
                with translation.override(language):
                    names.add(str(label).lower())
            if text in names:
                return code
        raise ValueError(_("Unknown value “%(value)s”.") % {"value": value})

    def render(self, value, obj=None, **kwargs):
        return value or ""


class PhoneWidget(widgets.CharWidget):
    def render(self, value, obj=None, **kwargs):
        return format_phone(value)


class ClientResource(resources.ModelResource):
    """One row a person. An import only adds people: a row whose email is already in the register is an error."""

    phone = fields.Field(attribute="phone", column_name="phone", widget=PhoneWidget())
    date_of_birth = fields.Field(attribute="date_of_birth", column_name="date_of_birth", widget=FinnishDateWidget())
    role = fields.Field(attribute="role", column_name="role", widget=ChoiceWidget(Client.Role, Client.Role.CLIENT))
    preferred_language = fields.Field(
        attribute="preferred_language",
        column_name="preferred_language",
        widget=ChoiceWidget(Client.Language, Client.Language.FINNISH),
    )

    class Meta:
        model = Client
        fields = (
            "first_name",
            "last_name",
            "email",
            "phone",
            "street_address",
            "postal_code",
            "city",
            "country",
            "date_of_birth",
            "preferred_language",
            "role",
        )
        export_order = fields
        import_id_fields = ()
        clean_model_instances = True
        skip_unchanged = False
        use_bulk = False

    def get_instance(self, instance_loader, row):
        # Every row is a new person; a person already in the register is caught by validation.
        return None

    def before_import_row(self, row, **kwargs):
        for name in ("first_name", "last_name", "email", "postal_code", "city"):
            if row.get(name) is not None:
                row[name] = str(row[name]).strip()
        if not row.get("country"):
            row["country"] = "FI"

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        instance.source = Client.Source.IMPORT
