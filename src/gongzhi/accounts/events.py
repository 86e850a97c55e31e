"""What accounts tell the apps above them (see core/events.py; web/reactions.py lists who reacts)."""
from dataclasses import dataclass

from gongzhi.core.events import Event


@dataclass(frozen=True)
class BindingDecided(Event):
    """A worker verified or rejected a resident's household binding (published in the decision's transaction)."""

    binding_id: int
    user_id: int
    verified: bool
    reason: str = ""


@dataclass(frozen=True)
class CodeSent(Event):
    """A one-time code for ``phone`` (registering, or a forgotten password): it goes out by SMS."""

    phone: str
    code: str
    purpose: str


@dataclass(frozen=True)
class TemporaryPassword(Event):
    """Staff reset a resident's password: the temporary one goes to her phone by SMS, never to the screen."""

    user_id: int
    phone: str
    password: str


@dataclass(frozen=True)
class DataRequestDecided(Event):
    """A resident's request to correct or delete her data was granted or refused: she is told why."""

    request_id: int
    user_id: int
    granted: bool
    reply: str


@dataclass(frozen=True)
class AccountErased(Event):
    """A deletion request was granted: the account is closed and its personal data removed. The apps above
    remove what they hold of her (her inbox, the contact details on her appeals), in the same transaction."""

    user_id: int
