"""Requests over one's personal data filed on the portal (/mis-datos/), as a channel: a filing
is stored as an InboundMessage, then becomes a data-protection request here. Importing it
registers "dsr_portal"."""

from enlace.channels.dsr_portal import plugin as plugin
