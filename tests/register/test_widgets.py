"""The form renderer that writes plain widgets itself gives Django's own markup, character for character."""

import datetime as dt

import pytest
from django import forms
from django.contrib import admin
from django.contrib.admin import widgets as admin_widgets
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from clients.models import Client
from register.widgets import QuickFormRenderer
from tests.factories import ClientFactory, UserFactory

VALUES = [None, "", "Matti Meikäläinen", '<script>alert("x")</script> & "lainaus"', mark_safe("<b>turvallinen</b>"),
          0, 42, 3.5, dt.date(2026, 12, 2), dt.datetime(2026, 12, 2, 9, 30), "rivi 1\nrivi 2\n"]  # fmt: skip
ATTRS = [None, {}, {"class": "vTextField", "maxlength": 150}, {"required": True, "disabled": False, "data-x": '"<&>"'},
         {"autofocus": True, "aria-describedby": "id_help", "placeholder": "Nimi & sukunimi"}]  # fmt: skip
WIDGETS = [
    forms.TextInput, forms.EmailInput, forms.URLInput, forms.NumberInput, forms.PasswordInput, forms.HiddenInput,
    forms.DateInput, forms.DateTimeInput, forms.TimeInput, forms.SearchInput, forms.TelInput, forms.ColorInput,
    forms.CheckboxInput, forms.Textarea, admin_widgets.AdminDateWidget, admin_widgets.AdminTimeWidget,
    admin_widgets.AdminTextInputWidget, admin_widgets.AdminEmailInputWidget, admin_widgets.AdminIntegerFieldWidget,
    admin_widgets.AdminTextareaWidget,
]  # fmt: skip


@pytest.mark.parametrize("widget_class", WIDGETS, ids=lambda widget: widget.__name__)
def test_every_plain_widget_is_written_as_djangos_templates_write_it(widget_class):
    quick, djangos = QuickFormRenderer(), DjangoTemplates()
    for value in VALUES:
        for attrs in ATTRS:
            widget = widget_class()
            written = widget.render("kenttä", value, attrs=attrs, renderer=quick)
            assert written == widget.render("kenttä", value, attrs=attrs, renderer=djangos), (value, attrs)
    assert "&lt;script&gt;" in widget_class().render("x", VALUES[3], renderer=quick) or widget_class in (
        forms.CheckboxInput,
        forms.PasswordInput,
    )


def test_a_date_and_time_in_two_inputs_is_written_as_djangos_templates_write_it():
    for value in (None, dt.datetime(2026, 12, 2, 9, 30), dt.datetime(2026, 1, 31, 23, 59, 59)):
        widget = admin_widgets.AdminSplitDateTime()
        written = widget.render("ajankohta", value, renderer=QuickFormRenderer())
        assert written == widget.render("ajankohta", value, renderer=DjangoTemplates())


@pytest.mark.django_db
def test_the_person_form_is_written_as_djangos_templates_write_it(rf):
    staff = UserFactory(is_staff=True, is_superuser=True)
    person = ClientFactory(background='Kertoi: "polvi <vasen>"', city="Vantaa")
    request = rf.get("/")
    request.user = staff
    form_class = admin.site._registry[Client].get_form(request, person)
    quick, djangos = QuickFormRenderer(), DjangoTemplates()
    rendered = 0
    for name in form_class.base_fields:
        ours = form_class(instance=person, renderer=quick)[name]
        theirs = form_class(instance=person, renderer=djangos)[name]
        assert str(ours) == str(theirs), name
        rendered += 1
    assert rendered > 15
    assert "&quot;polvi &lt;vasen&gt;&quot;" in str(form_class(instance=person, renderer=quick)["background"])


def test_the_select_of_list_actions_is_the_admins_own_markup():
    from django.contrib.admin.helpers import ActionForm
    from django.test.html import parse_html

    from register.admin_lists import QuickActionForm

    choices = [("", "---------"), ("delete_selected", 'Poista valitut "henkilöt"'), ("merge", "Yhdistä <kaksi>")]
    quick, djangos = QuickActionForm(auto_id=None), ActionForm(auto_id=None)
    for form in (quick, djangos):
        form.fields["action"].choices = choices
    assert parse_html(str(quick["action"])) == parse_html(str(djangos["action"]))
    assert "Yhdistä &lt;kaksi&gt;" in str(quick["action"])
