from django.urls import path
from django.utils.translation import gettext_lazy as _

from billing import views

app_name = "billing"

urlpatterns = [
    path(_("feedback/<str:token>/"), views.feedback, name="feedback"),
]
