"""The citizens' portal as a channel: the portal's form (enlace/portal) stores a submission as an
InboundMessage, and this plug-in turns it into a case. Importing it registers "portal"."""

from enlace.channels.portal import plugin as plugin
