"""The e-mail channel: IMAP mailboxes polled (`imap.py`), each message stored as it arrived
and then read into a new case or a reply on one (`plugin.py`, `parsing.py`).

Configured by `EMAIL_INBOXES` (config/settings.py); polled by `manage.py poll_mailboxes` and by
the sweeper. Answers go back by the notifications' SMTP outbox, threaded to the citizen's mail
(`enlace.notifications.notify.thread_headers`).
"""

from enlace.channels.email import plugin  # noqa: F401 - registers the plug-in "email"
