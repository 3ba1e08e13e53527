"""Reader pages of the funding app, under /<lang>/ (support, campaign, membership)."""

app_name = "funding"
urlpatterns: list = []
