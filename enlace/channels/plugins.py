"""Channels are sibling plug-ins of one shape.

A plug-in receives what its channel delivers and stores it (`actions.do_receive_message`);
later, `process(message)` turns the stored message into a new case or a reply on an existing
one, and says which. Plug-ins live in `enlace/channels/<name>/` and register themselves with
`@register`; `PLUGINS` maps each code to its instance.

    @register
    class WhatsApp(ChannelPlugin):
        code = "whatsapp"               # the plug-in, stored on InboundMessage.plugin
        catalogue_channel = "whatsapp"  # the Channel its cases are counted under
        def process(self, message): ...
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import ClassVar, TypeVar

from enlace.channels.models import InboundMessage, InboundOutcome

PLUGIN_MODULES = (
    "enlace.channels.portal",
    "enlace.channels.email",
    "enlace.channels.meta",
    "enlace.callcentre.plugin",
    "enlace.suggestionbox.plugin",
    "enlace.oir.plugin",
)


@dataclass(frozen=True)
class Processed:
    outcome: str  # an InboundOutcome
    case_id: int | None = None


IGNORED = Processed(InboundOutcome.NONE)


class ChannelPlugin:
    code: ClassVar[str]
    catalogue_channel: ClassVar[str]

    def process(self, message: InboundMessage) -> Processed:
        """Turn a stored message into a case or a reply. Runs inside a transaction holding the
        message's row lock; raise to leave it pending for a retry. Must not send anything
        itself: what goes out is written as rows (notifications) in the same transaction."""
        raise NotImplementedError


PLUGINS: dict[str, ChannelPlugin] = {}
_P = TypeVar("_P", bound=type[ChannelPlugin])


def register(cls: _P) -> _P:
    PLUGINS[cls.code] = cls()
    return cls


def load_plugins() -> None:
    """Import the plug-in packages that exist, so that they register."""
    for module in PLUGIN_MODULES:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as error:
            if error.name != module:
                raise
