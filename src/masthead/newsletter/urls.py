from django.urls import path

from masthead.newsletter import views

app_name = "newsletter"
urlpatterns = [
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
