"""Import and export of the people list (CSV, XLSX) through django-import-export."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets
from simple_history.utils import bulk_create_with_history

from clients.models import EMAIL_IN_USE, Client
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
        self.codes = None

    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip().lower()
        if not text:
            return self.default
        if self.codes is None:
            # The names are gathered once per import, not once per row: switching languages is slow.
            self.codes = {}
            for code, label in self.choices.choices:
                self.codes.setdefault(code.lower(), code)
                for language in ("fi", "en"):
                    with translation.override(language):
                        self.codes.setdefault(str(label).lower(), code)
        if text in self.codes:
            return self.codes[text]
        raise ValueError(_("Unknown value “%(value)s”.") % {"value": value})

    def render(self, value, obj=None, **kwargs):
        return value or ""


class CountryWidget(widgets.CharWidget):
    """Accept a country by its ISO code (FI), as the model field does."""

    def clean(self, value, row=None, **kwargs):
        code = super().clean(value, row, **kwargs)
        # A look-up among the field's codes: the field's own check reads every country's name,
        # translated and sorted, for each row.
        field = Client._meta.get_field("country")
        if code not in field.countries:
            raise ValueError(field.error_messages["invalid_choice"] % {"value": code})
        return code


class PhoneWidget(widgets.CharWidget):
    def render(self, value, obj=None, **kwargs):
        return format_phone(value)


class ClientResource(resources.ModelResource):
    """One row a person. An import only adds people: a row whose email is already in the register is an error."""

    phone = fields.Field(attribute="phone", column_name="phone", widget=PhoneWidget())
    country = fields.Field(attribute="country", column_name="country", widget=CountryWidget())
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
        # Rows are validated one by one and saved a thousand at a time: an INSERT per row, and its
        # history's, cost more than everything else an import does. The import stays all or nothing
        # (the admin rolls back a file with an invalid row), and validation is the same as a form's.
        use_bulk = True
        batch_size = 1000

    def before_import(self, dataset, **kwargs):
        # The addresses of the whole file are looked up at once; each row is then checked against
        # them and against the valid rows above it, as if those had been saved already.
        emails = dataset["email"] if "email" in dataset.headers else []
        self.emails_in_use = Client.objects.emails_in_use(emails)

    def get_instance(self, instance_loader, row):
        # Every row is a new person; a person already in the register is caught by validation.
        return None

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        # Model.full_clean() without its queries: the fields, the rules of Client.clean() on the row's
        # own values, and the one rule that needs the register (an address in use) from the file's
        # lookup. The database constraints stay the last guard.
        errors = dict(import_validation_errors or {})
        try:
            # The country's widget has checked its code already.
            instance.clean_fields(exclude={*errors, "country"})
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for name, messages in instance.value_errors().items():
            errors.setdefault(name, []).extend(messages)
        email = (instance.email or "").strip().upper()
        if email and email in self.emails_in_use:
            errors.setdefault("email", []).append(EMAIL_IN_USE)
        if errors:
            raise ValidationError(errors)
        if email:
            self.emails_in_use.add(email)

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        # Saved with their field history, as a one-by-one save would (who imported them, and when).
        if self.create_instances and (using_transactions or not dry_run):
            for instance in self.create_instances:
                instance.set_email_hmac()  # what Client.save() works out, which a bulk insert does not call
            try:
                bulk_create_with_history(self.create_instances, Client, batch_size=batch_size)
            except Exception as error:
                self.handle_import_error(result, error, raise_errors)
            finally:
                self.create_instances.clear()

    def before_import_row(self, row, **kwargs):
        for name in ("first_name", "last_name", "email", "postal_code", "city"):
            if row.get(name) is not None:
                row[name] = str(row[name]).strip()
        if not row.get("country"):
            row["country"] = "FI"

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        instance.source = Client.Source.IMPORT
