"""The one place this package sends notifications, so the notification module can move
(deliberation.notifications -> governance.notifications) without touching the rest."""


def notify_users(users, *, key: str, text: str, link: str = "") -> int:
    try:
        from governance.notifications import notify_users as send
    except ImportError:  # before the move
        from deliberation.notifications import notify_users as send
    return send(users, key=key, text=text, link=link)


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
