"""The call centre's telephone system as a channel: its CTI events (views.py) are stored and then
applied to the call log (enlace/callcentre). Importing it registers "cti"."""

from enlace.channels.cti import plugin as plugin
