"""Importing a client list from CSV or XLSX: a preview with per-row errors, then all rows or none."""

import io
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clients.models import Client
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("admin:clients_client_import")
PROCESS_URL = reverse("admin:clients_client_process_import")
HEADER = "first_name,last_name,email,phone,postal_code,city,date_of_birth,role\n"


def upload(client, content, name="asiakkaat.csv", file_format="0"):
    data = content.encode() if isinstance(content, str) else content
    return client.post(
        IMPORT_URL, {"resource": "0", "format": file_format, "import_file": SimpleUploadedFile(name, data)}
    )


def confirm(client, preview):
    form = preview.context["confirm_form"]
    return client.post(PROCESS_URL, {name: form.initial.get(name, "") for name in form.fields})


@pytest.fixture
def importer(client, visitors):
    people = visitors(permissions=["clients.view_client", "clients.add_client", "clients.import_client"])
    people.log_in(client, "permitted")
    return client


def test_a_valid_csv_is_previewed_then_imported_whole(importer):
    content = HEADER + (
        "Aino,Aaltonen,aino@example.fi,040 111 2222,00100,Helsinki,31.12.1990,asiakas\n"
        "Eero,Eskola,eero@example.fi,,01750,Vantaa,1985-05-05,prospect\n"
    )
    preview = upload(importer, content)
    assert preview.status_code == 200
    assert preview.context["confirm_form"] is not None
    assert Client.objects.count() == 0  # the preview writes nothing

    response = confirm(importer, preview)
    assert response.status_code == 302
    aino = Client.objects.get(email="aino@example.fi")
    assert (aino.role, aino.source, str(aino.date_of_birth)) == ("client", "import", "1990-12-31")
    assert aino.phone.as_e164 == "+358401112222"
    assert Client.objects.get(email="eero@example.fi").role == "prospect"


def test_a_file_with_bad_rows_shows_each_rows_errors_and_imports_nothing(importer):
    ClientFactory(email="Jo.Rekisterissa@example.fi")
    content = HEADER + (
        "Hyvä,Rivi,hyva@example.fi,,00100,Helsinki,,\n"
        "Huono,Sähköposti,ei-osoite,,00100,Helsinki,,\n"
        "Huono,Postinumero,posti@example.fi,,1750,Vantaa,,\n"
        "Jo,Olemassa,jo.rekisterissa@EXAMPLE.fi,,00100,Helsinki,,\n"
        "Kaksi,Kertaa,hyva@example.fi,,00100,Helsinki,,\n"
    )
    preview = upload(importer, content)
    assert preview.status_code == 200
    assert preview.context.get("confirm_form") is None  # nothing to confirm: fix the file first
    result = preview.context["result"]
    errors = {row.number: sorted(row.error_dict) for row in result.invalid_rows}
    assert errors == {2: ["email"], 3: ["postal_code"], 4: ["email"], 5: ["email"]}
    assert Client.objects.count() == 1


def test_an_xlsx_file_is_read_too(importer):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["first_name", "last_name", "email", "postal_code"])
    sheet.append(["Saara", "Salo", "saara@example.fi", "33100"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    preview = upload(importer, buffer.getvalue(), name="asiakkaat.xlsx", file_format="1")
    assert preview.context["confirm_form"] is not None
    confirm(importer, preview)
    assert Client.objects.get().last_name == "Salo"


def test_staff_without_the_import_permission_cannot_import(client, visitors):
    visitors(permissions=["clients.view_client", "clients.add_client"]).log_in(client, "permitted")
    assert client.get(IMPORT_URL).status_code == 403
    response = upload(client, HEADER + "A,B,a@example.fi,,00100,Helsinki,,\n")
    assert response.status_code == 403
    assert Client.objects.count() == 0


def test_a_file_that_is_not_a_table_is_a_clear_error(importer):
    response = upload(importer, b"\x89PNG\r\n\x1a\n not a csv", name="kuva.xlsx", file_format="1")
    assert response.status_code == 200
    assert re.search(r"errorlist|error", response.content.decode())
    assert Client.objects.count() == 0


def people_csv(rows, start=0):
    return HEADER + "".join(
        f"Testi,Henkilö{number},henkilo{number}@example.fi,,00100,Helsinki,1.1.1990,client\n"
        for number in range(start, start + rows)
    )


def test_a_long_file_is_imported_with_each_persons_history_and_access_log_entry(importer):
    from privacy.models import AccessLogEntry

    preview = upload(importer, people_csv(300))
    response = confirm(importer, preview)
    assert response.status_code == 302
    assert Client.objects.filter(source="import").count() == 300
    # Saved in bulk, yet each person's first version is in the field history, by whom it was imported.
    history = Client.history.filter(history_type="+")
    assert history.count() == 300
    assert set(history.values_list("history_user", flat=True)) == {int(importer.session["_auth_user_id"])}
    added = AccessLogEntry.objects.filter(action=AccessLogEntry.Action.ADDED)
    assert added.count() == 300
    assert set(added.values_list("person__email", flat=True)) == {f"henkilo{n}@example.fi" for n in range(300)}


def test_an_import_makes_no_query_per_row(organisation):
    import tablib
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from clients.resources import ClientResource

    ClientFactory(email="henkilo1000@example.fi")
    # Two batches of saving, one of them partial, and a row that clashes with the register.
    dataset = tablib.Dataset().load(people_csv(1001), format="csv")
    with CaptureQueriesContext(connection) as queries:
        result = ClientResource().import_data(dataset, dry_run=False)
    # The file's addresses are looked up at once; people and their history are written in batches
    # (on PostgreSQL a thousand rows a statement, on SQLite as many as its limit of parameters allows).
    assert len(queries) < 1001 / 10
    assert not result.has_errors()
    assert [row.number for row in result.invalid_rows] == [1001]
    assert Client.history.count() == 1 + 1000


def test_a_person_saved_in_bulk_is_stored_as_saving_them_one_by_one_would(organisation):
    import tablib

    from clients.resources import ClientResource

    # A bulk insert skips Client.save(): whatever save() works out must be in the imported row already.
    ClientResource().import_data(tablib.Dataset().load(people_csv(1), format="csv"), dry_run=False)
    person = Client.objects.get()
    stored = Client.objects.filter(pk=person.pk).values().get()
    person.save()
    saved = Client.objects.filter(pk=person.pk).values().get()
    assert {**saved, "updated_at": None} == {**stored, "updated_at": None}


def test_an_imported_address_on_the_suppression_list_is_not_marketed_to(organisation):
    import tablib

    from clients.resources import ClientResource
    from consents.eligibility import may_market
    from consents.models import Purpose
    from consents.services import record_event, suppress

    suppress("henkilo0@example.fi", reason="erasure")
    ClientResource().import_data(tablib.Dataset().load(people_csv(2), format="csv"), dry_run=False)
    purpose = Purpose.objects.get(code="email_marketing")
    for person in Client.objects.all():
        record_event(client=person, kind="granted", purpose=purpose, channel="web", recorded_by="person")
    marketable = {p.email for p in Client.objects.all() if may_market(p, "email_marketing")}
    assert marketable == {"henkilo1@example.fi"}
