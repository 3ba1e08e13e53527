from django.urls import path

from masthead.audience import views

app_name = "audience"
urlpatterns = [
    path("newsletter/", views.sign_up, name="signup"),
    path("newsletter/check-your-email/", views.check_email, name="check_email"),
    path("newsletter/confirm/<str:token>/", views.confirm, name="confirm"),
]
