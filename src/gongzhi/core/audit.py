"""Recording staff access to personal data and other sensitive actions (append-only AuditEvent)."""

from django.db import models

from .models import AuditEvent

Action = AuditEvent.Action


def client_ip(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def audit(*, actor, action: str, target: models.Model | None = None, target_type: str = "", target_id="",
          summary: str = "", data: dict | None = None, request=None) -> AuditEvent:
    if target is not None:
        target_type = target._meta.label_lower
        target_id = str(target.pk)
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        summary=summary[:300],
        data=data or {},
        ip_address=client_ip(request),
    )
