from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from . import preferences as prefs
from .models import Notification
from .service import inbox_for


@login_required
def inbox(request):
    """The signed-in user's notifications from every app; showing a page marks it read."""
    page = Paginator(inbox_for(request.user), 30).get_page(request.GET.get("page"))
    response = render(request, "notifications/inbox.html", {"page": page})
    Notification.objects.filter(
        user=request.user, read_at__isnull=True, pk__in=[n.pk for n in page.object_list]
    ).update(read_at=timezone.now())
    return response


@login_required
def preferences(request):
    """Which kinds of notification the user receives by which channel, and the daily digest."""
    if request.method == "POST":
        prefs.preferences_save(
            user=request.user,
            checked=set(request.POST.getlist("on")),
            digest=request.POST.get("digest") == "yes",
        )
        messages.success(request, _("Your notification settings are saved."))
        return redirect("notification-preferences")
    return render(
        request, "notifications/preferences.html", {"table": prefs.preference_table(request.user)}
    )
