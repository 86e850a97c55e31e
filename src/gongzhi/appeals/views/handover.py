"""交接: a worker going on leave (or her secretary, when she is away already) hands her open appeals to a colleague."""
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from gongzhi.access.decorators import staff_view
from gongzhi.core.errors import DomainError, InvalidInput
from gongzhi.core.params import id_param

from .. import selectors, services
from ..choices import OPEN_STATES
from ..models import Appeal


@staff_view
def hand_over(request):
    people = selectors.colleagues(request.user)
    if request.method == "POST":
        chosen = {key: people.filter(pk=pk).first() if (pk := id_param(request.POST.get(key))) else None
                  for key in ("from_user", "to_user")}
        giver = chosen["from_user"] or request.user
        try:
            if chosen["to_user"] is None or chosen["to_user"] == giver:
                raise InvalidInput(_("请选择接手的同事"), field="to_user")
            moved = services.appeals_hand_over(actor=request.user, from_user=giver, to_user=chosen["to_user"],
                                               reason=request.POST.get("reason", ""))
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, _("已把 %(n)s 件诉求交给 %(who)s") % {"n": moved, "who": chosen["to_user"]})
            return redirect("staff:appeal_queue")
    mine = Appeal.objects.filter(assignee=request.user, state__in=OPEN_STATES).count()
    return render(request, "appeals/hand_over.html", {"people": people, "mine": mine})
