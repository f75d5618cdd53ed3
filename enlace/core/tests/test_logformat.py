"""Log lines never carry a secret link (enlace/core/logformat.py)."""


def test_secret_links_are_hidden_in_every_log_line() -> None:
    """Django's CSRF refusal names the path; an invitation's token or a password reset's is
    replaced by *** on the way to the console handler."""
    import logging

    from enlace.core.logformat import SecretPathFilter

    console = [
        handler
        for handler in logging.getLogger().handlers
        if any(isinstance(item, SecretPathFilter) for item in handler.filters)
    ]
    assert console, "the console handler has no SecretPathFilter"
    for path, shown in (
        ("/encuesta/i/Zx8_secret-token/", "/encuesta/i/***/"),
        ("/cuenta/contrasena/nueva/MQ/c2l-0abc/", "/cuenta/contrasena/nueva/***/"),
        ("/casos/12/", "/casos/12/"),
    ):
        record = logging.LogRecord(
            "django.security.csrf",
            logging.WARNING,
            __file__,
            1,
            "Forbidden (%s): %s",
            ("CSRF token missing.", path),
            None,
        )
        assert SecretPathFilter().filter(record)
        assert record.getMessage() == f"Forbidden (CSRF token missing.): {shown}"
