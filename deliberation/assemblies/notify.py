"""What owners' assemblies notify, through the shared notifications (governance.notifications)."""

from governance.notifications import notify


def notify_users(users, *, key: str, text: str, link: str = "") -> int:
    return notify(users, kind="deliberation.assembly", key=key, text=text, link=link)


def estate_residents(estate_id: int):
    """Users currently verified to a household of the estate (owners and tenants)."""
    from communities.models import ResidentVerification, User

    ids = (
        ResidentVerification.objects.current()
        .filter(household__building__estate_id=estate_id)
        .values("user_id")
    )
    return User.objects.filter(pk__in=ids, is_active=True).order_by("pk")


def notify_estate(estate_id: int, *, key: str, text: str, link: str = "") -> int:
    return notify_users(estate_residents(estate_id), key=key, text=text, link=link)
