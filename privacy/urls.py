from django.urls import path
from django.utils.translation import gettext_lazy as _

from privacy import views

app_name = "privacy"

# The paths are translated: /tietosuojaseloste/ in Finnish, /en/privacy-notice/ in English.
urlpatterns = [
    path(_("privacy-notice/"), views.notice, name="notice"),
    path(_("privacy-notice/<int:number>/"), views.notice_version, name="notice_version"),
    path(_("data-request/"), views.data_request, name="data_request"),
    path(_("data-request/confirm/<str:token>/"), views.verify, name="verify"),
    path(_("data-request/download/<str:token>/"), views.package, name="package"),
]
