"""Domain errors: what a resident or worker reads (``message``) and a stable code clients act on.

Views turn them into form errors, the API into ``{"code", "message"}`` with the status below.
"""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    status = 422
    default_code = "invalid"
    details: dict = {}  # more for API clients, beside code and message (e.g. a weak reply's problems)

    def __init__(self, message=None, *, code: str | None = None, field: str | None = None):
        self.message = message if message is not None else _("请求无法处理")
        self.code = code or self.default_code
        self.field = field
        super().__init__(str(self.message))


class InvalidInput(DomainError):
    status = 422
    default_code = "invalid_input"


class NotPermitted(DomainError):
    status = 403
    default_code = "not_permitted"


class NotFound(DomainError):
    status = 404
    default_code = "not_found"


class Conflict(DomainError):
    status = 409
    default_code = "conflict"


class TransitionNotAllowed(Conflict):
    default_code = "transition_not_allowed"


class TooMany(DomainError):
    """Asked too often: a guessable lookup (numbers in a search) past its limit."""

    status = 429
    default_code = "too_many"
