"""The one error `masthead backup` and `masthead restore` report."""


class BackupError(Exception):
    """Why a backup or restore stopped; its message is the one line the command prints."""


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message (drivers add hints on later lines)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
