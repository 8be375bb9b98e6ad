"""The form renderer that writes plain widgets itself gives Django's own markup, character for character."""

import datetime as dt
from decimal import Decimal

import pytest
from django import forms
from django.contrib import admin
from django.contrib.admin import widgets as admin_widgets
from django.forms.renderers import DjangoTemplates
from django.test import override_settings
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from clients.models import Client
from register.widgets import QuickFormRenderer
from tests.factories import ClientFactory, UserFactory


class MarkupOfItsOwn:
    """A value that offers its own HTML without being Django's safe string: templates escape its text."""

    def __html__(self):
        return "<i>oma</i>"

    def __str__(self):
        return "<i>oma</i>"


SCRIPT = '<script>alert("x")</script> & "lainaus"'
VALUES = [None, "", "Matti Meikäläinen", SCRIPT, MarkupOfItsOwn(), gettext_lazy("Name"), True, ["a", "<b>"],
          mark_safe("<b>turvallinen</b>"), 0, 42, 3.5, dt.date(2026, 12, 2), dt.datetime(2026, 12, 2, 9, 30),
          "rivi 1\nrivi 2\n"]  # fmt: skip
ATTRS = [None, {}, {"class": "vTextField", "maxlength": 150}, {"required": True, "disabled": False, "data-x": '"<&>"'},
         {"autofocus": True, "aria-describedby": "id_help", "placeholder": "Nimi & sukunimi"},
         {"title": MarkupOfItsOwn(), "data-safe": mark_safe("<ok>"), "data-lazy": gettext_lazy("Name")}]  # fmt: skip
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
    assert "&lt;script&gt;" in widget_class().render("x", SCRIPT, renderer=quick) or widget_class in (
        forms.CheckboxInput,
        forms.PasswordInput,
    )


class TextareaOfRawValues(forms.Textarea):
    """A text area given its value as it is (not as text), as a widget of one's own may do."""

    def format_value(self, value):
        return value


@pytest.mark.parametrize("language", ["fi", "en"])
def test_a_text_area_shows_a_value_in_the_pages_formats_as_djangos_template_does(language):
    with translation.override(language):
        for value in (Decimal("1.50"), 1234567, dt.date(2026, 1, 2), dt.datetime(2026, 1, 2, 9, 30, tzinfo=dt.UTC)):
            widget = TextareaOfRawValues()
            assert widget.render("x", value, renderer=QuickFormRenderer()) == widget.render(
                "x", value, renderer=DjangoTemplates()
            ), value


def test_a_select_written_directly_is_djangos_select():
    from django.test.html import parse_html

    from register.widgets import QuickSelect

    choices = [("", "---------"), ("fi", mark_safe("<b>Suomi</b>")), ("x&y", 'Muu "maa" <script>'),
               ("Ryhmä", [("a", gettext_lazy("Name")), (mark_safe("<s>"), "s")])]  # fmt: skip
    for value in ("", "fi", "x&y", "a"):
        ours = QuickSelect(choices=choices, attrs={"title": MarkupOfItsOwn()}).render("maa", value)
        djangos = forms.Select(choices=choices, attrs={"title": MarkupOfItsOwn()}).render(
            "maa", value, renderer=DjangoTemplates()
        )
        assert parse_html(ours) == parse_html(djangos), value


@pytest.mark.django_db
def test_the_person_form_is_written_as_djangos_templates_write_it(rf):
    staff = UserFactory(is_staff=True, is_superuser=True)
    person = ClientFactory(background='Kertoi: "polvi <vasen>"', city="Vantaa")
    request = rf.get("/")
    request.user = staff
    form_class = admin.site._registry[Client].get_form(request, person)
    rendered = 0
    for name in form_class.base_fields:
        ours = str(form_class(instance=person, renderer=QuickFormRenderer())[name])
        # The admin's wrapper of a related field renders the widget inside it with the default renderer.
        with override_settings(FORM_RENDERER="django.forms.renderers.DjangoTemplates"):
            theirs = str(form_class(instance=person, renderer=DjangoTemplates())[name])
        assert ours == theirs, name
        rendered += 1
    assert rendered > 15
    assert "&quot;polvi &lt;vasen&gt;&quot;" in str(
        form_class(instance=person, renderer=QuickFormRenderer())["background"]
    )


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


@pytest.mark.parametrize("language", ["fi", "en"])
def test_the_wrapper_of_a_related_select_is_written_as_the_admins_template_writes_it(language):
    import itertools

    flags = ["can_change_related", "can_add_related", "can_delete_related", "can_view_related"]
    base = {
        "rendered_widget": mark_safe('<select name="coach"><option value="1">x</option></select>'),
        "name": 'coach"<x>',
        "url_params": "_to_field=id&_popup=1",
        "view_related_url_params": "_to_field=id",
        "model": gettext_lazy("user"),
        "model_name": "user",
        "change_related_template_url": "/admin/auth/user/__fk__/change/",
        "add_related_url": "/admin/auth/user/add/",
        "delete_related_template_url": "/admin/auth/user/__fk__/delete/",
    }
    with translation.override(language):
        for granted in itertools.product([False, True], repeat=4):
            for hidden, limited in itertools.product([False, True], repeat=2):
                context = {**base, **dict(zip(flags, granted, strict=True)), "is_hidden": hidden,
                           "model_has_limit_choices_to": {"is_staff": True} if limited else {}}  # fmt: skip
                template = "admin/widgets/related_widget_wrapper.html"
                ours = QuickFormRenderer().render(template, dict(context))
                assert ours == DjangoTemplates().render(template, dict(context)), (granted, hidden, limited)
        every_link = {**base, **dict.fromkeys(flags, True), "is_hidden": False, "model_has_limit_choices_to": {}}
        written = QuickFormRenderer().render("admin/widgets/related_widget_wrapper.html", every_link)
    assert 'id="change_id_coach&quot;&lt;x&gt;"' in written and "_to_field=id&amp;_popup=1" in written
    assert written.count("<a ") == 4 and 'data-model-ref="user"' in written


@pytest.mark.parametrize("language", ["fi", "en"])
def test_labels_and_lists_of_errors_are_written_as_djangos_templates_write_them(language):
    class Form(forms.Form):
        name = forms.CharField(label=SCRIPT)
        email = forms.EmailField(label=gettext_lazy("Name"), required=False)
        day = forms.DateField(label=mark_safe("<b>Päivä</b>"), label_suffix=" &")

    with translation.override(language):
        for data in (None, {}, {"name": "x", "email": "ei-osoite", "day": "32.13.2026"}, {"name": "Matti"}):
            for auto_id in ("id_%s", False):
                ours = Form(data, auto_id=auto_id, renderer=QuickFormRenderer())
                theirs = Form(data, auto_id=auto_id, renderer=DjangoTemplates())
                for name in Form.base_fields:
                    for attrs in (None, {"class": "required", "data-x": '"<&>"', "hidden": True, "off": False}):
                        assert ours[name].label_tag(attrs=attrs) == theirs[name].label_tag(attrs=attrs), name
                        assert ours[name].legend_tag(attrs=attrs) == theirs[name].legend_tag(attrs=attrs), name
                    assert str(ours[name].errors) == str(theirs[name].errors), (name, data)
                    assert ours[name].errors.as_ul() == theirs[name].errors.as_ul(), (name, data)
                assert str(ours) == str(theirs)
        invalid = Form({"email": "ei-osoite"}, renderer=QuickFormRenderer())
        assert 'class="errorlist"' in str(invalid["email"].errors)
        assert "&lt;script&gt;" in invalid["name"].label_tag()
