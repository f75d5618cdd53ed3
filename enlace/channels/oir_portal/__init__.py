"""The OIR's filing form on the portal as a channel: a filing (enlace/oir/public_views.py) is
stored as an InboundMessage and becomes an information request here. Importing it registers
"oir_portal"."""

from enlace.channels.oir_portal import plugin as plugin
