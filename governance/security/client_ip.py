"""The client's address, decided the same way for throttles, login lockouts and the audit trail.

X-Forwarded-For is trusted only as far as REST_FRAMEWORK["NUM_PROXIES"] says: with 0 (the default)
it is ignored, so a client cannot pick a fresh address per request; with N it takes the N-th
address from the right, the one the outermost trusted proxy saw.
"""

from rest_framework.settings import api_settings


def client_ip(request) -> str | None:
    meta = getattr(request, "META", {}) or {}
    remote_addr = meta.get("REMOTE_ADDR") or None
    num_proxies = api_settings.NUM_PROXIES
    xff = meta.get("HTTP_X_FORWARDED_FOR")
    if not num_proxies or not xff:
        return remote_addr
    addresses = [part.strip() for part in xff.split(",") if part.strip()]
    if not addresses:
        return remote_addr
    return addresses[-min(num_proxies, len(addresses))]
