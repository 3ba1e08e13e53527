"""The reader's WhatsApp page, under /<lang>/account/whatsapp/."""

from django.urls import path

from masthead.channels.whatsapp import views

app_name = "whatsapp"
urlpatterns = [
    path("account/whatsapp/", views.whatsapp, name="subscribe"),
    path("account/whatsapp/frequency/", views.frequency, name="frequency"),
    path("account/whatsapp/stop/", views.stop, name="stop"),
]
