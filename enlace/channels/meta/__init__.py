"""WhatsApp Cloud API and Facebook Messenger: two Meta Graph API platforms, one plug-in package.

Both deliver the same kind of webhook (a GET handshake with a verify token, then POSTs signed
with the app secret in `X-Hub-Signature-256`), both are answered through the Graph API with a
bearer token. `views.py` checks and stores what arrives, one InboundMessage per message or
status inside the envelope; `plugin.py` processes each into a new case to classify, a reply on
an open case, or a status of one of our outbound messages (`actions.py`), and sends the
replies the channels' outbox hands it (`graph.py`).
"""

from enlace.channels.meta import plugin as plugin  # registers "whatsapp" and "facebook"
