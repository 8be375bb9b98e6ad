"""Personal data is declared: every model referring to a person is found, exported and erased by plan."""

import pytest
from django.core import checks
from django.db import models
from django.test.utils import isolate_apps
from django.utils import translation

from register import declarations
from register.declarations import (
    Delete,
    Keep,
    Retention,
    Subject,
    declare,
    erasure_plan,
    export,
    not_personal_data,
    related_to,
    the_people,
    undeclared_models,
)
from register.models import Organisation


def test_every_model_that_holds_personal_data_is_declared():
    """The coverage test: a new table referring to a person cannot be left out of an access answer."""
    missing = undeclared_models()
    assert missing == [], "\n".join(f"{model._meta.label}: {why}" for model, why in missing)


def test_the_system_check_passes_for_the_project():
    assert [e for e in checks.run_checks() if e.id.startswith("register.")] == []


@pytest.fixture
def scratch_registry(monkeypatch):
    """Let a test declare throw-away models without leaving them in the project's registry."""
    monkeypatch.setattr(declarations, "_declarations", dict(declarations._declarations))
    monkeypatch.setattr(declarations, "_exempt", dict(declarations._exempt))


@isolate_apps("register")
def test_a_model_referring_to_a_person_is_reported_until_it_is_declared(scratch_registry):
    class Person(models.Model):
        class Meta:
            app_label = "register"

        name = models.CharField(max_length=10)

    class Visit(models.Model):
        class Meta:
            app_label = "register"

        person = models.ForeignKey(Person, on_delete=models.CASCADE)

    class VisitPhoto(models.Model):
        class Meta:
            app_label = "register"

        visit = models.ForeignKey(Visit, on_delete=models.CASCADE)

    class Room(models.Model):
        class Meta:
            app_label = "register"

        name = models.CharField(max_length=10)

    declare(
        Person,
        category="People",
        find=the_people(),
        export=("name",),
        erasure=Delete(),
        retention=Retention("24 months"),
        subject=True,
    )
    found = dict(undeclared_models(models_to_check=[Person, Visit, VisitPhoto, Room]))
    assert list(found) == [Visit]
    assert found[Visit] == "its field 'person' refers to register.Person"

    declare(
        Visit,
        category="Visits",
        find=related_to("person"),
        export=(),
        erasure=Delete(),
        retention=Retention("24 months"),
    )
    # Once the visit is personal data, what refers to it is too.
    assert [m for m, _ in undeclared_models(models_to_check=[Visit, VisitPhoto, Room])] == [VisitPhoto]

    not_personal_data(VisitPhoto, reason="holds only a picture of the room")
    assert undeclared_models(models_to_check=[Person, Visit, VisitPhoto, Room]) == []


@isolate_apps("register")
def test_a_project_model_with_an_email_or_phone_field_must_be_declared(scratch_registry):
    class Lead(models.Model):
        class Meta:
            app_label = "register"

        email = models.EmailField()

    class Caller(models.Model):
        class Meta:
            app_label = "register"

        mobile_phone = models.CharField(max_length=20)

    class Tag(models.Model):
        class Meta:
            app_label = "register"

        label = models.CharField(max_length=20)

    found = dict(undeclared_models(models_to_check=[Lead, Caller, Tag]))
    assert found == {
        Lead: "its field 'email' looks like personal data",
        Caller: "its field 'mobile_phone' looks like personal data",
    }


@isolate_apps("register")
def test_the_system_check_names_a_declared_field_that_does_not_exist(scratch_registry):
    class Member(models.Model):
        class Meta:
            app_label = "register"

        name = models.CharField(max_length=10)

    declare(
        Member,
        category="Members",
        find=the_people(),
        export=("name", "nickname"),
        erasure=Delete(),
        retention=Retention("24 months"),
        subject=True,
    )
    messages = [m for m in declarations.check_personal_data() if m.id == "register.E002"]
    assert [m.msg for m in messages] == [
        "The personal-data declaration of register.Member names 'nickname', which is not a field of the model."
    ]


def test_the_contact_person_is_exported_by_their_email_in_any_case(organisation):
    with translation.override("fi"):
        sections = export(Subject(emails=("SAMI@LiikkuvatPuntit.fi",)))
    assert [s["model"] for s in sections] == ["register.Organisation"]
    (row,) = sections[0]["rows"]
    assert row["contact_name"] == "Sami Muhonen"
    assert row["contact_street_address"] == "Vestrantie 39"
    assert sections[0]["fields"]["contact_name"] == "yhteyshenkilö"


def test_nothing_is_exported_for_someone_the_register_does_not_know(organisation):
    assert export(Subject(emails=("someone@example.invalid",))) == []
    assert export(Subject()) == []


def test_erasure_of_the_contact_person_keeps_the_details_with_the_legal_reason(organisation):
    (item,) = erasure_plan(Subject(emails=("sami@liikkuvatpuntit.fi",)))
    assert item.model == "register.Organisation"
    assert item.action == "keep"
    assert item.rows == 1
    assert "13" in item.reason


def test_every_declaration_names_its_retention_and_what_erasure_does():
    for declaration in declarations.declarations():
        assert str(declaration.retention.description).strip(), declaration.label
        if isinstance(declaration.erasure, Keep):
            assert str(declaration.erasure.reason).strip(), declaration.label
    assert declarations.declaration_for(Organisation) is not None


@isolate_apps("register")
def test_rows_are_found_through_the_people_staff_matched_to_the_request(scratch_registry):
    class Person(models.Model):
        class Meta:
            app_label = "register"

        name = models.CharField(max_length=10)

    class Visit(models.Model):
        class Meta:
            app_label = "register"

        person = models.ForeignKey(Person, on_delete=models.CASCADE)

    people = declare(
        Person,
        category="People",
        find=the_people(),
        export=("name",),
        erasure=Delete(),
        retention=Retention("24 months"),
        subject=True,
    )
    visits = declare(
        Visit,
        category="Visits",
        find=related_to("person"),
        export=(),
        erasure=Delete(),
        retention=Retention("24 months"),
    )
    matti, maija = Person(pk=1, name="Matti"), Person(pk=2, name="Maija")
    subject = Subject(people=(matti,))
    assert str(declarations.rows_for(people, subject).query) == str(Person.objects.filter(pk__in=[1]).query)
    assert 'person_id" IN (1)' in str(declarations.rows_for(visits, subject).query)
    assert not declarations.rows_for(visits, Subject(people=(maija,))).query.is_empty()
    assert declarations.rows_for(visits, Subject()).query.is_empty()


@isolate_apps("register")
def test_a_model_naming_rows_by_content_type_and_id_must_be_declared(scratch_registry):
    from django.contrib.contenttypes.models import ContentType

    class AuditTrail(models.Model):
        class Meta:
            app_label = "register"

        content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
        object_id = models.CharField(max_length=40)

    found = dict(undeclared_models(models_to_check=[AuditTrail]))
    assert found == {AuditTrail: "its fields 'content_type/object_id' can refer to any row, a person's too"}


@isolate_apps("register")
def test_a_link_to_the_organisation_is_not_a_link_to_a_person(scratch_registry):
    class Invoice(models.Model):
        class Meta:
            app_label = "register"

        seller = models.ForeignKey(Organisation, on_delete=models.PROTECT)

    assert undeclared_models(models_to_check=[Invoice]) == []


@isolate_apps("register")
def test_the_system_check_refuses_a_reverse_relation_and_a_finder_path_that_leads_nowhere(scratch_registry):
    class Member(models.Model):
        class Meta:
            app_label = "register"

        name = models.CharField(max_length=10)

    class Visit(models.Model):
        class Meta:
            app_label = "register"

        member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="visits")

    declare(
        Member,
        category="Members",
        find=the_people(),
        export=("name", "visits"),
        erasure=Delete(),
        retention=Retention("24 months"),
        subject=True,
    )
    declare(
        Visit,
        category="Visits",
        find=related_to("membr"),
        export=(),
        erasure=Delete(),
        retention=Retention("24 months"),
    )
    messages = {
        (m.id, m.msg) for m in declarations.check_personal_data() if m.id in ("register.E002", "register.E003")
    }
    assert messages == {
        (
            "register.E002",
            "The personal-data declaration of register.Member names 'visits', which is not a field of the model.",
        ),
        (
            "register.E003",
            "The personal-data declaration of register.Visit finds rows through 'membr', "
            "which does not lead to a related model.",
        ),
    }


@isolate_apps("register")
def test_the_erasure_plan_keeps_rows_under_a_running_duty_and_erases_those_whose_duty_ended(scratch_registry):
    import datetime as dt

    class Receipt(models.Model):
        class Meta:
            app_label = "register"

        buyer = models.CharField(max_length=20)
        kept_until = models.DateField(null=True)

    rows = [
        Receipt(pk=1, buyer="a", kept_until=dt.date(2030, 12, 31)),
        Receipt(pk=2, buyer="b", kept_until=dt.date(2025, 12, 31)),
        Receipt(pk=3, buyer="c", kept_until=dt.date(2031, 12, 31)),
    ]
    declare(
        Receipt,
        category="Receipts",
        find=lambda model, subject: rows,
        export=("buyer",),
        erasure=Keep(
            reason="Accounting Act",
            until=lambda row: row.kept_until,
            meanwhile=declarations.Anonymise(fields={"buyer": "-"}),
        ),
        retention=Retention("six years"),
    )
    plan = [i for i in erasure_plan(Subject(), today=dt.date(2026, 11, 25)) if i.model == "register.Receipt"]
    assert [(i.action, i.rows, i.kept_until, i.fields) for i in plan] == [
        ("keep", 2, dt.date(2031, 12, 31), ("buyer",)),
        ("delete", 1, None, ()),
    ]
    rows[0].kept_until = None  # kept as long as a situation lasts: no single end date to promise
    (kept, _deleted) = [
        i for i in erasure_plan(Subject(), today=dt.date(2026, 11, 25)) if i.model == "register.Receipt"
    ]
    assert kept.kept_until is None
