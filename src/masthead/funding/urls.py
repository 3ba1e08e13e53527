"""Reader pages of the funding app, under /<lang>/ (support, campaign, membership)."""

from django.urls import path

from masthead.funding import gift_views, receipts

app_name = "funding"
urlpatterns: list = [
    path("support/gift/", gift_views.buy, name="gift"),
    path("support/gift/sent/", gift_views.sent, name="gift_sent"),
    path("support/gift/redeem/<str:token>/", gift_views.redeem, name="gift_redeem"),
    path("support/receipt/<str:token>/", receipts.receipt, name="receipt"),
]
