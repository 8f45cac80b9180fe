from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

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
