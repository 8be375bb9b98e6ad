"""Staff entry to the back office: password, second factor, confidentiality agreement, lockout, sessions."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.test import Client as Browser
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from register.models import StaffProfile
from tests.auth import authenticator, current_code, sign_in
from tests.factories import ClientFactory, UserFactory

PASSWORD = "correct horse battery staple"
pytestmark = pytest.mark.django_db


def log_in_with_password(client, username, address="198.51.100.7"):
    return client.post(reverse("admin:login"), {"username": username, "password": PASSWORD}, REMOTE_ADDR=address)


@pytest.fixture
def person(organisation):
    return ClientFactory(first_name="Salla", last_name="Salainen")


def person_url(person):
    return reverse("admin:clients_client_change", args=[person.pk])


# Two-step verification --------------------------------------------------------------------------------


def test_a_password_alone_shows_no_personal_data_and_leads_to_enrolment(client, person):
    UserFactory(username="uusi", is_staff=True, is_superuser=True)
    assert log_in_with_password(client, "uusi").status_code == 302
    response = client.get(person_url(person), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("admin:two_factor_setup"))
    page = response.content.decode()
    assert "Salainen" not in page
    assert "<svg" in page  # the QR code to scan


def test_enrolment_confirms_the_app_with_its_first_code_and_gives_backup_codes(client, person):
    user = UserFactory(username="uusi", is_staff=True, is_superuser=True)
    log_in_with_password(client, "uusi")
    client.get(reverse("admin:two_factor_setup"))
    device = TOTPDevice.objects.get(user=user, confirmed=False)

    wrong = client.post(reverse("admin:two_factor_setup"), {"code": "000000"})
    assert "Koodi ei täsmää" in wrong.content.decode()
    assert client.get(person_url(person)).status_code == 302

    device.refresh_from_db()
    device.throttle_reset()  # a failure makes the next try wait a second; the test does not wait
    response = client.post(reverse("admin:two_factor_setup"), {"code": current_code(device)})
    assert response.status_code == 200
    assert len(response.context["codes"]) == 10
    assert TOTPDevice.objects.get(user=user).confirmed
    assert StaticDevice.objects.get(user=user).token_set.count() == 10
    assert "Salainen" in client.get(person_url(person)).content.decode()


def test_a_confirmed_device_must_be_used_and_no_second_one_enrolled_with_the_password(client, person):
    user = UserFactory(username="valmentaja", is_staff=True, is_superuser=True)
    device = authenticator(user)
    log_in_with_password(client, "valmentaja")
    # Someone with only the password cannot add their own phone.
    assert client.get(reverse("admin:two_factor_setup")).url.startswith(reverse("admin:two_factor_verify"))
    assert TOTPDevice.objects.filter(user=user).count() == 1

    assert client.post(reverse("admin:two_factor_verify"), {"code": current_code(device)}).status_code == 302
    assert "Salainen" in client.get(person_url(person)).content.decode()


def test_a_wrong_code_is_refused_and_counted(client, person):
    user = UserFactory(username="valmentaja", is_staff=True, is_superuser=True)
    device = authenticator(user)
    log_in_with_password(client, "valmentaja")
    response = client.post(reverse("admin:two_factor_verify"), {"code": "123456"})
    assert "Koodi ei kelpaa" in response.content.decode()
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    # Right after a failure even the right code waits (django-otp's growing delay against guessing).
    client.post(reverse("admin:two_factor_verify"), {"code": current_code(device)})
    assert client.get(person_url(person)).status_code == 302


def test_a_backup_code_signs_in_once(client, person):
    user = UserFactory(username="valmentaja", is_staff=True, is_superuser=True)
    authenticator(user)
    from register.two_factor import new_backup_codes

    code = new_backup_codes(user)[0]
    log_in_with_password(client, "valmentaja")
    assert client.post(reverse("admin:two_factor_verify"), {"code": code}).status_code == 302
    assert client.get(person_url(person)).status_code == 200

    other = Browser()
    log_in_with_password(other, "valmentaja")
    response = other.post(reverse("admin:two_factor_verify"), {"code": code})
    assert response.status_code == 200
    assert "Koodi ei kelpaa" in response.content.decode()


def test_the_next_address_is_kept_and_only_within_the_site(client, person):
    user = UserFactory(username="valmentaja", is_staff=True, is_superuser=True)
    device = authenticator(user)
    log_in_with_password(client, "valmentaja")
    url = reverse("admin:two_factor_verify")
    response = client.post(f"{url}?next={person_url(person)}", {"code": current_code(device)})
    assert response.url == person_url(person)

    other = Browser()
    log_in_with_password(other, "valmentaja")
    device.refresh_from_db()
    device.last_t = -1  # the same code may not be used twice; let the test use it again
    device.save()
    response = other.post(f"{url}?next=https://evil.example/", {"code": current_code(device)})
    assert response.url == reverse("admin:index")


# Confidentiality agreement -----------------------------------------------------------------------------


def test_staff_without_a_confidentiality_agreement_are_told_why_and_see_no_one(client, person):
    user = UserFactory(username="uusi", is_staff=True, agreement=False)
    user.groups.add(*__import__("django.contrib.auth.models", fromlist=["Group"]).Group.objects.all())
    sign_in(client, user)

    response = client.get(person_url(person), follow=True)
    assert response.status_code == 403
    page = response.content.decode()
    assert "salassapitosopimusta ei ole kirjattu" in page
    assert "Salainen" not in page
    assert client.get(reverse("admin:clients_client_changelist")).status_code == 302

    StaffProfile.objects.filter(user=user).update(agreement_signed_on=timezone.localdate())
    StaffProfile.objects.get_or_create(user=user, defaults={"agreement_signed_on": timezone.localdate()})
    assert "Salainen" in client.get(person_url(person)).content.decode()


def test_the_owner_records_an_agreement_and_who_recorded_it_is_kept(client, organisation):
    owner = UserFactory(username="omistaja", is_staff=True, is_superuser=True)
    coach = UserFactory(username="uusi", is_staff=True, agreement=False)
    sign_in(client, owner)
    url = reverse("admin:auth_user_change", args=[coach.pk])
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "password"}
    data.update(
        {
            "username": "uusi",
            "date_joined_0": "1.1.2026",
            "date_joined_1": "10:00:00",
            "staff_profile-TOTAL_FORMS": "1",
            "staff_profile-INITIAL_FORMS": "0",
            "staff_profile-MIN_NUM_FORMS": "0",
            "staff_profile-MAX_NUM_FORMS": "1",
            "staff_profile-0-agreement_signed_on": "20.11.2026",
            "staff_profile-0-user": str(coach.pk),
        }
    )
    data.pop("groups", None)
    data.pop("user_permissions", None)
    data.pop("last_login", None)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    profile = StaffProfile.objects.get(user=coach)
    assert profile.agreement_signed_on.isoformat() == "2026-11-20"
    assert profile.agreement_recorded_by == owner


# Lockout -------------------------------------------------------------------------------------------------


def fail(client, username, times, address="198.51.100.7"):
    for _ in range(times):
        client.post(reverse("admin:login"), {"username": username, "password": "wrong"}, REMOTE_ADDR=address)


def test_five_failures_lock_the_username_from_that_address_with_a_clear_message(client, organisation):
    UserFactory(username="valmentaja", is_staff=True, is_superuser=True)
    fail(client, "valmentaja", 5)
    response = log_in_with_password(client, "valmentaja")
    assert response.status_code == 429
    assert "Liian monta epäonnistunutta kirjautumista" in response.content.decode()
    assert "_auth_user_id" not in client.session

    # Someone elsewhere guessing cannot lock the real person out: the pair is locked, not the account.
    assert log_in_with_password(Browser(), "valmentaja", address="203.0.113.20").status_code == 302


def test_the_lock_opens_by_itself_after_the_cool_off(client, settings, organisation):
    UserFactory(username="valmentaja", is_staff=True, is_superuser=True)
    fail(client, "valmentaja", 5)
    assert log_in_with_password(client, "valmentaja").status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1))
    assert log_in_with_password(client, "valmentaja").status_code == 302


def test_staff_can_unlock_a_locked_login(client, organisation):
    locked = UserFactory(username="valmentaja", is_staff=True, is_superuser=True)
    fail(Browser(), "valmentaja", 5)
    assert log_in_with_password(Browser(), "valmentaja").status_code == 429

    owner = UserFactory(username="omistaja", is_staff=True, is_superuser=True)
    sign_in(client, owner)
    response = client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "unlock_login", "_selected_action": [locked.pk]},
        follow=True,
    )
    assert "Kirjautuminen avattu" in response.content.decode()
    assert log_in_with_password(Browser(), "valmentaja").status_code == 302


def test_behind_a_proxy_the_visitors_own_address_is_locked_not_the_proxys(client, settings, organisation):
    settings.TRUSTED_PROXY_COUNT = 1
    UserFactory(username="valmentaja", is_staff=True, is_superuser=True)
    proxy = "10.0.0.2"
    for _ in range(5):
        client.post(
            reverse("admin:login"),
            {"username": "valmentaja", "password": "wrong"},
            REMOTE_ADDR=proxy,
            HTTP_X_FORWARDED_FOR="9.9.9.9, 198.51.100.66",  # the first entry is the visitor's own claim
        )
    assert AccessAttempt.objects.get().ip_address == "198.51.100.66"
    response = Browser().post(
        reverse("admin:login"),
        {"username": "valmentaja", "password": PASSWORD},
        REMOTE_ADDR=proxy,
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )
    assert response.status_code == 302


# Sessions ------------------------------------------------------------------------------------------------


def test_log_out_everywhere_ends_the_users_other_sessions(organisation):
    user = UserFactory(username="valmentaja", is_staff=True, is_superuser=True)
    laptop, phone = Browser(), Browser()
    sign_in(laptop, user)
    sign_in(phone, user)
    assert phone.get(reverse("admin:index")).status_code == 200

    response = laptop.post(reverse("admin:account_security"), {"action": "log_out_everywhere"})
    assert response.status_code == 302
    assert phone.get(reverse("admin:index")).status_code == 302
    assert laptop.get(reverse("admin:index")).status_code == 302

    # A new login afterwards works as before.
    sign_in(phone, User.objects.get(pk=user.pk))
    assert phone.get(reverse("admin:index")).status_code == 200


def test_the_owner_can_end_a_colleagues_sessions_and_reset_their_phone(client, organisation):
    colleague = UserFactory(username="valmentaja", is_staff=True, is_superuser=True)
    elsewhere = Browser()
    sign_in(elsewhere, colleague)
    sign_in(client, UserFactory(username="omistaja", is_staff=True, is_superuser=True))
    client.post(
        reverse("admin:auth_user_changelist"), {"action": "reset_two_factor", "_selected_action": [colleague.pk]}
    )
    assert elsewhere.get(reverse("admin:index")).status_code == 302
    assert not TOTPDevice.objects.filter(user=colleague).exists()


def test_new_backup_codes_replace_the_old_ones(client, organisation):
    from register.two_factor import new_backup_codes

    user = UserFactory(username="valmentaja", is_staff=True, is_superuser=True)
    old = new_backup_codes(user)
    sign_in(client, user)
    response = client.post(reverse("admin:account_security"), {"action": "backup_codes"})
    new = response.context["codes"]
    assert len(new) == 10
    assert set(StaticDevice.objects.get(user=user).token_set.values_list("token", flat=True)) == set(new)
    assert not set(old) & set(new)


def test_the_session_key_changes_once_the_second_step_is_passed(client, person):
    user = UserFactory(username="valmentaja", is_staff=True, is_superuser=True)
    device = authenticator(user)
    log_in_with_password(client, "valmentaja")
    before = client.session.session_key
    client.post(reverse("admin:two_factor_verify"), {"code": current_code(device)})
    assert client.session.session_key != before
    assert client.get(person_url(person)).status_code == 200


def test_no_one_reads_a_colleagues_authenticator_key_or_backup_codes_in_the_back_office(client, organisation):
    from django.contrib import admin

    owner = UserFactory(username="omistaja", is_staff=True, is_superuser=True)
    sign_in(client, owner)
    assert TOTPDevice not in admin.site._registry
    assert StaticDevice not in admin.site._registry
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404
