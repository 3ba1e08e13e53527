"""Outgoing webhooks (issue 11 §3): admin-configured endpoints told about articles.

models.py (endpoints, the delivery log), signing.py and client.py (Standard Webhooks over
the SSRF-guarded client: the adapter), services.py (writes), receivers.py (Wagtail's
publish signals), tasks.py, admin.py (Wagtail viewsets and the editors' notice).
"""
