"""The e-mail channel: IMAP mailboxes polled (`imap.py`), each message stored as it arrived
and then read into a new case or a reply on one (`plugin.py`, `parsing.py`).

Configured by `EMAIL_INBOXES` (config/settings.py); polled by `manage.py poll_mailboxes` and by
the sweeper (`EmailPlugin.poll`). A reply from the case page goes by SMTP in the thread of the
citizen's mail (`EmailPlugin.send`), and the e-mail outbox's acknowledgement and answer thread
the same way (`plugin.thread_headers`).
"""

from enlace.channels.email import plugin  # noqa: F401 - registers the plug-in "email"
