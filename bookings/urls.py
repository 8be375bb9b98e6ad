from django.urls import path

from bookings import views

app_name = "bookings"

urlpatterns = [
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]
