"""The slots of appeals' pages that the apps above fill (see core/extensions.py; web/reactions.py fills them)."""
from gongzhi.core.extensions import Slot

# the staff appeal page: provider(viewer, appeal) -> context (the machine's reading, duplicates to merge)
DETAIL = Slot("appeals.detail")
# the figures page: provider(viewer, start, end) -> context (the quality of replies per party)
FIGURES = Slot("appeals.figures")

# who may file through a channel an app above owns (Channel.CARE): channel -> check(actor, area, household), which
# raises NotPermitted; a channel nobody checks is refused
INTAKE: dict = {}
# where the holder of an appeal on an app's own ladder works it (a party member's phone page, not the staff pages):
# ladder -> URL name; the sweep's messages and hand-ups to her link there
HOLDER_PAGE: dict = {}
