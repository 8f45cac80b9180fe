"""Personal data helpers (PIPL): show the minimum."""


def mask_phone(phone: str) -> str:
    """138****1234 for an 11-digit mobile number; other numbers keep only their last 4 digits."""
    digits = "".join(ch for ch in phone or "" if ch.isdigit())
    if not digits:
        return ""
    if len(digits) == 11:
        return f"{digits[:3]}****{digits[-4:]}"
    return "*" * max(len(digits) - 4, 0) + digits[-4:]
