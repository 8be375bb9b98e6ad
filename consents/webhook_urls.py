from django.urls import path

from consents import views

urlpatterns = [
    path("webhooks/mailchimp/<str:secret>/", views.mailchimp_webhook, name="mailchimp_webhook"),
]
