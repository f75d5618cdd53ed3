"""A channel made for the tests, in one folder as every channel is: its endpoint (views.py,
urls.py) and its plug-in (plugin.py). Naming it in settings.CHANNEL_PLUGINS is all it takes."""

from enlace.channels.tests.fake import plugin as plugin
