"""Reader pages of the funding app, under /<lang>/ (support, campaign, membership)."""

from django.urls import path

from masthead.funding import support_views, test_checkout_views

app_name = "funding"
urlpatterns: list = [
    # Stable for outside callers (issue 9 §5): the Support button on every article.
    path("support/", support_views.give, name="support"),
    path("support/membership/", support_views.membership, name="membership"),
    path("support/thanks/<str:token>/", support_views.thanks, name="thanks"),
    path(
        "support/test-checkout/<uuid:checkout_id>/",
        test_checkout_views.test_checkout,
        name="test_checkout",
    ),
    path(
        "support/test-manage/<int:membership_id>/",
        test_checkout_views.test_manage,
        name="test_manage",
    ),
    path("account/membership/manage/", support_views.manage, name="manage"),
]
