"""The suggestion boxes as a channel: each form transcribed at an opening (enlace/suggestionbox)
is stored as an InboundMessage and becomes an opinion here. Importing it registers "buzon"."""

from enlace.channels.buzon import plugin as plugin
