"""Two-factor login for staff (django-otp): enrolment of an authenticator app, verification, backup codes.

A password alone opens nothing in the back office: ``RegisterAdminSite.has_permission`` also asks for a
device verified in this session. A staff member without a device enrols one right after the password
(scanning a QR code), and gets one-time backup codes for the day the phone is lost. Adding a device
while another is already confirmed needs that other device first: a stolen password must not be
enough to enrol the thief's phone.
"""

from __future__ import annotations

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django_otp import login as otp_login
from django_otp import user_has_device, verify_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

BACKUP_DEVICE_NAME = "backup"
APP_DEVICE_NAME = "authenticator"


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "inputmode": "numeric"}),
    )

    def clean_code(self):
        return "".join(self.cleaned_data["code"].split()).lower()


def safe_next(request) -> str:
    """Return where to go after the step: the ``next`` of the request when it stays on this site."""
    target = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME) or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return target
    return reverse("admin:index")


def _with_next(url_name: str, request) -> str:
    target = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME)
    url = reverse(url_name)
    if target:
        url += "?" + urlencode({REDIRECT_FIELD_NAME: target})
    return url


def next_step_url(request) -> str | None:
    """Return the page a signed-in staff member must pass next before the back office, or None."""
    from register.models import has_confidentiality_agreement

    user = request.user
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return None
    if not user.is_verified():
        if user_has_device(user, confirmed=True):
            return _with_next("admin:two_factor_verify", request)
        return _with_next("admin:two_factor_setup", request)
    if not has_confidentiality_agreement(user):
        return reverse("admin:confidentiality_agreement_missing")
    return None


def new_backup_codes(user) -> list[str]:
    """Replace the user's backup codes with a fresh set and return them to be shown once.

    django-otp keeps the codes as they are, like any password of one use; they are readable to nobody through
    the app (its device pages are not in the back office) and each works once.
    """
    device, _created = StaticDevice.objects.get_or_create(user=user, name=BACKUP_DEVICE_NAME)
    device.confirmed = True
    device.save()
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(settings.OTP_BACKUP_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def _staff_only(view):
    """Let signed-in, active staff through; send anyone else to the login page."""

    def wrapped(site, request, *args, **kwargs):
        user = request.user
        if not (user.is_authenticated and user.is_active and user.is_staff):
            return redirect(reverse("admin:login"))
        return view(site, request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _render(site, request, template, context, status=200):
    return TemplateResponse(request, template, {**site.each_context(request), **context}, status=status)


@_staff_only
def verify_view(site, request):
    """Ask for a code of the enrolled authenticator app, or one of the backup codes."""
    if request.user.is_verified():
        return redirect(safe_next(request))
    if not user_has_device(request.user, confirmed=True):
        return redirect(_with_next("admin:two_factor_setup", request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = _matching_device(request.user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            # A new session key once both steps are done: a key seen before the second step is worthless.
            request.session.cycle_key()
            if isinstance(device, StaticDevice):
                left = device.token_set.count()
                messages.warning(
                    request,
                    _(
                        "You signed in with a backup code; %(left)s codes are left. "
                        "Make new ones on the account security page."
                    )
                    % {"left": left},
                )
            return redirect(safe_next(request))
        form.add_error(
            "code",
            _("The code is not valid. Check the time on your phone, wait for the next code and try again."),
        )
    return _render(
        site,
        request,
        "admin/two_factor/verify.html",
        {"title": _("Two-step verification"), "form": form, "next": request.GET.get(REDIRECT_FIELD_NAME, "")},
    )


def _matching_device(user, code: str):
    """Return the user's confirmed device that accepts the code, or None (every device counts its failures)."""
    models = [TOTPDevice] if code.isdigit() and len(code) <= 8 else [StaticDevice]
    for model in models:
        for device in model.objects.devices_for_user(user, confirmed=True):
            with transaction.atomic():
                verified = verify_token(user, device.persistent_id, code)
            if verified is not None:
                return verified
    return None


@_staff_only
def setup_view(site, request):
    """Enrol an authenticator app: show its QR code and secret, confirm it with the first code it shows."""
    user = request.user
    if user_has_device(user, confirmed=True) and not user.is_verified():
        # A second device only after proving the first one: the password alone enrols nothing.
        return redirect(_with_next("admin:two_factor_verify", request))
    device = TOTPDevice.objects.filter(user=user, confirmed=False, name=APP_DEVICE_NAME).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, confirmed=False, name=APP_DEVICE_NAME)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            with transaction.atomic():
                TOTPDevice.objects.filter(user=user, confirmed=True).delete()
                device.confirmed = True
                device.save()
                codes = new_backup_codes(user)
            otp_login(request, device)
            # A new session key once both steps are done: a key seen before the second step is worthless.
            request.session.cycle_key()
            return _render(
                site,
                request,
                "admin/two_factor/backup_codes.html",
                {"title": _("Your backup codes"), "codes": codes, "next": safe_next(request)},
            )
        form.add_error(
            "code", _("The code does not match. Scan the QR code again and type the code the app shows now.")
        )
    secret = device.config_url.split("secret=")[1].split("&")[0]
    return _render(
        site,
        request,
        "admin/two_factor/setup.html",
        {
            "title": _("Set up two-step verification"),
            "form": form,
            "qr_svg": segno.make(device.config_url, error="m").svg_inline(scale=5, title=_("QR code to scan")),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "next": request.GET.get(REDIRECT_FIELD_NAME, ""),
        },
    )


@_staff_only
def security_view(site, request):
    """The signed-in user's own account security: new backup codes, a new phone, log out everywhere."""
    user = request.user
    if not user.is_verified():
        return redirect(_with_next("admin:two_factor_verify", request))
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "backup_codes":
            codes = new_backup_codes(user)
            return _render(
                site,
                request,
                "admin/two_factor/backup_codes.html",
                {"title": _("Your backup codes"), "codes": codes, "next": reverse("admin:account_security")},
            )
        if action == "new_phone":
            TOTPDevice.objects.filter(user=user, confirmed=False).delete()
            return redirect(reverse("admin:two_factor_setup"))
        if action == "log_out_everywhere":
            log_out_everywhere(user)
            return redirect(reverse("admin:login"))
    backup = StaticDevice.objects.filter(user=user, name=BACKUP_DEVICE_NAME).first()
    return _render(
        site,
        request,
        "admin/two_factor/security.html",
        {
            "title": _("Account security"),
            "backup_codes_left": backup.token_set.count() if backup else 0,
            "app_enrolled_at": TOTPDevice.objects.filter(user=user, confirmed=True)
            .values_list("created_at", flat=True)
            .first(),
        },
    )


@_staff_only
def agreement_missing_view(site, request):
    """Tell a staff member why the back office stays closed: no confidentiality agreement is recorded."""
    from register.models import has_confidentiality_agreement

    if not request.user.is_verified():
        return redirect(_with_next("admin:two_factor_verify", request))
    if has_confidentiality_agreement(request.user):
        return redirect(reverse("admin:index"))
    return _render(
        site,
        request,
        "admin/two_factor/agreement_missing.html",
        {"title": _("Confidentiality agreement missing")},
        status=403,
    )


def log_out_everywhere(user) -> None:
    """End every session of the user on every device, this one included."""
    from register.models import StaffProfile
    from register.signals import staff_access_revoked

    StaffProfile.objects.update_or_create(user=user, defaults={"sessions_revoked_at": timezone.now()})
    # Other ways in that the user holds (a coach's calendar feed address) end too.
    staff_access_revoked.send(sender=StaffProfile, user=user)


def reset_two_factor(user) -> None:
    """Remove the user's devices and backup codes: the next login enrols a new phone."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def site_urls(site):
    """Return the URL patterns of the steps, wrapped so they need a signed-in staff member only."""
    from django.urls import path

    def view(function):
        return never_cache(csrf_protect(lambda request, *a, **k: function(site, request, *a, **k)))

    return [
        path("two-factor/", view(verify_view), name="two_factor_verify"),
        path("two-factor/setup/", view(setup_view), name="two_factor_setup"),
        path("account-security/", view(security_view), name="account_security"),
        path("confidentiality-agreement/", view(agreement_missing_view), name="confidentiality_agreement_missing"),
    ]


def locked_out(request, original_response=None, credentials=None):
    """Answer a login refused by django-axes: say why and for how long, in the back office's look."""
    from django.contrib import admin

    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    response = _render(
        admin.site,
        request,
        "registration/locked_out.html",
        {"title": _("Login locked"), "cooloff_minutes": minutes},
        status=429,
    )
    # Rendered here: django-axes hands the response on from inside the authentication backend.
    return response.render()
