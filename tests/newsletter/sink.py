"""The loopback SMTP sink, kept importable here for test_crash.py and bench/newsletter.py.

The one implementation is tests/smtp_sink.py.
"""

from tests.smtp_sink import Received, Sink, SinkHandler, free_port

__all__ = ["Received", "Sink", "SinkHandler", "free_port"]
