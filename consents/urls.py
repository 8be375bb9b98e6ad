from django.urls import path
from django.utils.translation import gettext_lazy as _

from consents import views

app_name = "consents"

urlpatterns = [
    path(_("marketing/<str:token>/"), views.marketing_choices, name="choices"),
    path(_("marketing/<str:token>/unsubscribe/"), views.one_click_unsubscribe, name="one_click"),
    path(_("cookies/"), views.cookie_settings, name="cookies"),
]
