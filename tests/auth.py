"""Signing staff in for tests: the password step by force_login, the second step by a real device."""

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice


def authenticator(user) -> TOTPDevice:
    """Return the user's confirmed authenticator-app device, made on first use."""
    device, _created = TOTPDevice.objects.get_or_create(user=user, name="authenticator", defaults={"confirmed": True})
    return device


def current_code(device: TOTPDevice) -> str:
    """Return the code the phone app of the device shows now."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):0{device.digits}d}"


def sign_in(client, user) -> None:
    """Sign the user in as after both login steps: password and a verified second factor."""
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = authenticator(user).persistent_id
    session.save()
