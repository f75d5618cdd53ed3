"""Channels are sibling plug-ins of one shape.

A plug-in is a folder `enlace/channels/<name>/` whose package registers one (or, for the two
Meta platforms, two) `ChannelPlugin` with `@register`; `settings.CHANNEL_PLUGINS` names the
folders a deployment runs, and `load_plugins()` (in `ChannelsConfig.ready()`) imports them.
Nothing below the plug-ins imports one: the framework asks `PLUGINS`.

A plug-in:

- receives: its endpoint (`urls`, mounted under /canales/), its poller (`poll`, run by the
  sweeper and `manage.py poll_mailboxes`) or the page of Enlace that takes the citizen's form
  stores what arrived with `actions.do_receive_message`;
- processes: `process(message)` turns a stored message into a new case or a reply on one;
- answers, where the channel can (`answers`): `may_answer(case, sender)` says whether a
  person who wrote on the case by it may be written to (`actions.reply_route` asks it of the
  case's latest messages), and `send(outbound)` is the transport of the replies' outbox
  (enlace/channels/replies.py);
- writes first, where the platform allows a first message to a person outside a conversation
  only from a template it approved (WhatsApp): `sends_template(name)` says whether it can send
  that template now, and `send_template(recipient, template)` is the transport the
  notifications' outbox asks for it (an invitation to answer a study).

    @register
    class WhatsApp(ChannelPlugin):
        code = "whatsapp"               # the plug-in, stored on InboundMessage.plugin
        catalogue_channel = "whatsapp"  # the Channel its cases are counted under
        def process(self, message): ...
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, ClassVar, TypeVar

from django.conf import settings
from django_stubs_ext import StrOrPromise

from enlace.channels.models import InboundMessage, InboundOutcome, OutboundMessage

if TYPE_CHECKING:
    from enlace.cases.models import Case


@dataclass(frozen=True)
class Processed:
    outcome: str  # an InboundOutcome
    case_id: int | None = None


IGNORED = Processed(InboundOutcome.NONE)


@dataclass(frozen=True)
class Template:
    """A message from a template the platform approved: its name, its language and the
    values of its placeholders in order ({{1}}, {{2}}, ...)."""

    name: str
    language: str
    parameters: tuple[str, ...]


@dataclass(frozen=True)
class ReplyRoute:
    """Where a message to the citizen on their channel goes: the plug-in, the person there
    (a WhatsApp number, a page-scoped id, an e-mail address) and when they last wrote."""

    plugin: str
    recipient: str
    last_message_at: datetime


class ChannelPlugin:
    code: ClassVar[str]
    catalogue_channel: ClassVar[str]
    label: ClassVar[StrOrPromise] = ""  # its name to people: "WhatsApp", "e-mail"
    # The plug-in's URLconf (dotted path), mounted under /canales/, if it has an endpoint.
    urls: ClassVar[str] = ""
    # Whether it can answer, and what a reply may be: how long, how long after the citizen wrote.
    answers: ClassVar[bool] = False
    max_reply_length: ClassVar[int] = 4096
    reply_window: ClassVar[timedelta | None] = None

    def process(self, message: InboundMessage) -> Processed:
        """Turn a stored message into a case or a reply. Runs inside a transaction holding the
        message's row lock; raise to leave it pending for a retry. Must not send anything
        itself: what goes out is written as outbox rows in the same transaction."""
        raise NotImplementedError

    def poll(self) -> int:
        """Fetch and store what waits on the channel's side (a mailbox); how many messages.
        Only a channel that must be asked, rather than told, has anything to poll."""
        return 0

    def may_answer(self, case: Case, sender: str, *, opened: bool) -> bool:
        """Whether `sender`, who wrote on `case` by this channel (`opened`: and opened it),
        may be written to about it."""
        return False

    def sends(self) -> bool:
        """Whether it is configured to send now (credentials given)."""
        return False

    def send(self, outbound: OutboundMessage) -> str:
        """Send one reply; the channel's own id of what was sent. Raises
        enlace.core.outbox.OutboxError (permanent when trying again cannot help)."""
        raise NotImplementedError

    def sends_template(self, name: str) -> bool:
        """Whether it can send a first message from the template `name` now (configured,
        and the template named)."""
        return False

    def send_template(self, recipient: str, template: Template) -> str:
        """Send a message from a template to a person (a phone in E.164); the channel's own
        id of what was sent. Raises enlace.core.outbox.OutboxError."""
        raise NotImplementedError


PLUGINS: dict[str, ChannelPlugin] = {}
_P = TypeVar("_P", bound=type[ChannelPlugin])


def register(cls: _P) -> _P:
    PLUGINS[cls.code] = cls()
    return cls


def load_plugins() -> None:
    """Import the plug-in packages the settings name, so that they register."""
    for module in settings.CHANNEL_PLUGINS:
        importlib.import_module(module)


def url_modules() -> list[str]:
    """The URLconfs of the plug-ins that have an endpoint, each once."""
    return list(dict.fromkeys(plugin.urls for plugin in PLUGINS.values() if plugin.urls))


def poll_all() -> int:
    """Ask every plug-in that must be asked (the e-mail channel's mailboxes) once; how many
    messages were new."""
    return sum(plugin.poll() for plugin in PLUGINS.values())
