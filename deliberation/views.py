"""The views of deliberation live in its packages (councils, sessions, escalation); this module
holds the staff dashboard, which spans them all, and re-exports the others for old imports."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _

from governance.charts import bar_chart

from .councils import selectors
from .view_helpers import staff_required


@staff_required
def dashboard(request):
    if not request.user.has_perm("deliberation.view_dashboard"):
        raise PermissionDenied
    data = selectors.dashboard(request.user)
    return render(
        request,
        "deliberation/dashboard.html",
        {
            **data,
            "state_chart": bar_chart(_("Proposals by state"), data["by_state"]),
            "community_chart": bar_chart(
                _("Proposals per community"), [(c.name, c.n_proposals) for c in data["communities"]]
            ),
            "escalation_chart": bar_chart(
                _("Escalations per community"),
                [(c.name, c.n_escalations) for c in data["communities"]],
            ),
        },
    )
