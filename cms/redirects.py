"""Wagtail's redirect middleware, asking first whether any redirect could match.

Wagtail's ``RedirectMiddleware`` looks up the request's site (``Site.find_for_request``: a query ordered by a
CASE over hostnames, with the root page joined) and then the redirects for that site, for up to four forms of
the path, on every 404. A 404 for a path no redirect names is the usual case (a mistyped address, a removed
page, a probe), so this one asks a single indexed question first: is there any redirect, for any site, whose
old path is one of those forms? Only if there is does Wagtail's own lookup run, so which redirect wins is
exactly Wagtail's answer. Measured on the URL walk (mostly 404s): the middleware took a fifth of each request.

In ``deploy/settings/base.py`` in place of ``wagtail.contrib.redirects.middleware.RedirectMiddleware``; a host
site may list it the same way (README, "Install into an existing Wagtail site").
"""

import inspect
from urllib.parse import urlparse

from django.utils.encoding import uri_to_iri
from wagtail.contrib.redirects.middleware import RedirectMiddleware as WagtailRedirectMiddleware
from wagtail.contrib.redirects.models import Redirect

# Wagtail 8 normalises the path without decoding it (``decode_unicode=False``); Wagtail 7 has no such argument and
# never decodes. Either way the forms below are what its middleware looks up.
_KEEPS_ENCODING = {"decode_unicode": False} if "decode_unicode" in inspect.signature(
    Redirect.normalise_path).parameters else {}


def candidate_paths(request) -> set[str]:
    """Every old path Wagtail's middleware would look up for this request: the path with its query string and
    without, each as requested and with percent-encoded unicode decoded (a path with NUL is never looked up)."""
    path = Redirect.normalise_path(request.get_full_path(), **_KEEPS_ENCODING)
    forms = {form for base in (path, urlparse(path).path) for form in (base, uri_to_iri(base))}
    return {form for form in forms if "\0" not in form}


class RedirectMiddleware(WagtailRedirectMiddleware):
    def process_response(self, request, response):
        if response.status_code != 404:
            return response
        paths = candidate_paths(request)
        if not paths or not Redirect.objects.filter(old_path__in=paths).exists():
            return response
        return super().process_response(request, response)
