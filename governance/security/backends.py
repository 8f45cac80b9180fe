"""django-axes' lockout check, for logins that come over HTTP.

AxesStandaloneBackend refuses to work without a request. Logins without one (the test client's
`login()`, a shell) cannot be brute-forced from outside, so they skip the lockout check instead of
failing; every HTTP login (portal, admin) passes the request and is checked.
"""

from axes.backends import AxesStandaloneBackend


class RequestAxesBackend(AxesStandaloneBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
