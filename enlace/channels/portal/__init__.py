"""The public portal's plug-in lives with the portal (enlace/portal/plugin.py); importing it
registers it."""

from enlace.portal import plugin as plugin
