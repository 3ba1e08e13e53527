from django.urls import path

from masthead.audience import account_views, views

app_name = "audience"
urlpatterns = [
    path("newsletter/", views.sign_up, name="signup"),
    path("newsletter/check-your-email/", views.check_email, name="check_email"),
    path("newsletter/confirm/<str:token>/", views.confirm, name="confirm"),
    path("account/", account_views.account, name="account"),
    path("account/sign-in/", account_views.sign_in, name="sign_in"),
    # Before the token pattern, which would otherwise take "sent" for a token.
    path("account/sign-in/sent/", account_views.sign_in_sent, name="sign_in_sent"),
    path("account/sign-in/<str:token>/", account_views.sign_in_confirm, name="sign_in_confirm"),
    path("account/sign-out/", account_views.sign_out, name="sign_out"),
    path("account/data/", account_views.account_data, name="account_data"),
    path("account/email/", account_views.email_change, name="email_change"),
    path("account/email/sent/", account_views.email_change_sent, name="email_change_sent"),
    path(
        "account/email/confirm/<str:token>/",
        account_views.email_change_confirm,
        name="email_change_confirm",
    ),
    path("account/delete/", account_views.erase, name="erase"),
    path("account/deleted/", account_views.erased, name="erased"),
]
