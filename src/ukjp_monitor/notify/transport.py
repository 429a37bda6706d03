"""What every transport shares: a message on its way, the error a send can
raise, and the protocol a transport keeps (``send``, ``close``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from ukjp_monitor.errors import OperationFailed


class Message(Protocol):
    """What any transport carries: an encoded letter, or a channel's post."""

    @property
    def message_id(self) -> str: ...


@dataclass(frozen=True)
class Outgoing:
    key: object
    recipient: str
    message: Message


class DeliveryError(OperationFailed):
    """A message did not go; ``permanent`` says whether trying again can help.

    ``connection`` marks a failure to reach or log in to the server: it is
    never permanent (fixing the settings or the server must let the message
    go on the next run) and every later message in the batch would meet it.
    """

    def __init__(
        self, reply: str, *, permanent: bool, connection: bool = False, refused: bool = False
    ):
        self.reply = reply
        self.permanent = permanent and not connection
        self.connection = connection
        self.refused = refused  # the server said no: asking again at once cannot help
        super().__init__(reply)


class Transport(Protocol):
    """Sends the kind of message it is made for (``Encoded`` by mail,
    ``channels.Post`` to a channel)."""

    def send(self, message: Any, recipient: str) -> None: ...

    def close(self) -> None: ...


def one_line(text: str) -> str:
    """A server's reply or an OS error as one line, fit for a log and a ledger row."""
    return " ".join(text.split())
