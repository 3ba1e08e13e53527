"""Reader pages of the funding app, under /<lang>/ (support, campaign, membership)."""

from django.urls import path

from masthead.funding import (
    campaign_views,
    gift_views,
    receipts,
    support_views,
    test_checkout_views,
)

app_name = "funding"
urlpatterns: list = [
    path("support/gift/", gift_views.buy, name="gift"),
    path("support/gift/sent/", gift_views.sent, name="gift_sent"),
    path("support/gift/redeem/<str:token>/", gift_views.redeem, name="gift_redeem"),
    path("support/receipt/<str:token>/", receipts.receipt, name="receipt"),
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
    # Stable for outside callers (issue 9, §5): the current campaign.
    path("campaign/", campaign_views.current, name="campaign"),
    path("campaign/<slug:slug>/", campaign_views.detail, name="campaign_detail"),
]
