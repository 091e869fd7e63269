"""Marking text for translation where Flask is not around (the pure core, the services).

`N_("Area must be greater than zero")` returns its argument unchanged; pybabel extracts it, and
the page that shows the message translates it then, with `gettext(message) % params`.
"""


def N_(message: str) -> str:  # noqa: N802  (the conventional gettext marker name)
    return message
