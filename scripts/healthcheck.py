"""Container health check: GET /healthz/ with the first allowed host as Host header."""

import os
import sys
import urllib.request

host = os.environ.get("ALLOWED_HOSTS", "localhost").split(",")[0].strip() or "localhost"
request = urllib.request.Request("http://127.0.0.1:8000/healthz/", headers={"Host": host})
try:
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310  # nosec B310: fixed http://127.0.0.1 URL
        sys.exit(0 if response.status == 200 else 1)
except Exception:
    sys.exit(1)
