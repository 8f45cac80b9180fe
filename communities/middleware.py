"""Region staff read, never write (regions.md): a request that may change something (any method
but GET, HEAD, OPTIONS and TRACE) is handled with the region grants widening no scope, so no
admin form, action, portal page or API write reaches a town's records through a district or city
grant, whatever permission check a view forgets."""

from .scoping import writing

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class RegionReadOnlyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in SAFE_METHODS:
            return self.get_response(request)
        with writing():
            return self.get_response(request)
