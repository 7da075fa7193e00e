"""The Flask app class of both sites, for its Jinja environment and the
static files' URLs.

Jinja keeps each template's globals in a ChainMap over the environment's,
and at every `{% import %}` subtracts their names from the rendering
context's (Template._get_default_module). Subtracting a ChainMap's KeysView
is a Python loop over the names, each looked up through a generator: a
list page imports FAB's macro libraries eight times, and that was ~4 % of
a 采购计划 page on PostgreSQL (docs/benchmarks.md, #17 item 1). Here
keys() is a plain set, subtracted in C; still built from the maps on every
call, so a global added later is seen as before.

Every page links some twenty stylesheets and scripts (FAB's init.html, our
layout), each by url_for: ~2 % of a list page for paths that depend only on
the file's name and where the site is mounted. Those are built once per
name and mount point and kept (Site.url_for).

Each URL rule gets two builder functions that Werkzeug writes as Python and
compiles when the rule is added: about a third of create_app, which the
tests call some 800 times a run. A builder depends only on the rule's text
and where it is matched (its converters are looked up through the rule when
it builds), so one compiled per such text serves every app of the process
(KeptBuilderRule).
"""
from collections import ChainMap

from flask import Flask
from flask.globals import _cv_request
from flask.templating import Environment
from werkzeug.routing import Rule

STATIC_ENDPOINTS = frozenset({"static", "appbuilder.static"})
KEPT_STATIC_URLS = 1024  # names per process; past that, start again


class TemplateGlobals(ChainMap):
    def keys(self):
        return set().union(*self.maps)


class SiteEnvironment(Environment):
    def make_globals(self, d):
        return TemplateGlobals({} if d is None else d, self.globals)


class KeptBuilderRule(Rule):
    _builders: dict = {}  # for every app of the process; bounded by the rules' texts

    def _compile_builder(self, append_unknown: bool = True):
        if self.defaults:  # folded into the code through the converters: not shared
            return super()._compile_builder(append_unknown)
        key = (self.rule, self.subdomain, self.host, self.map.host_matching,
               self.merge_slashes, append_unknown)
        builder = self._builders.get(key)
        if builder is None:
            builder = self._builders[key] = super()._compile_builder(append_unknown)
        return builder


class Site(Flask):
    jinja_environment = SiteEnvironment
    url_rule_class = KeptBuilderRule

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._static_urls: dict = {}

    def url_for(self, /, endpoint: str, *, _anchor=None, _method=None, _scheme=None,
                _external=None, **values) -> str:
        """Flask's, with a static file's path kept per (endpoint, name,
        mount point): within a request and with nothing but the name given,
        that is all Flask's answer depends on, unless a url_defaults
        function could change it."""
        request_context = _cv_request.get(None)
        if (endpoint not in STATIC_ENDPOINTS or request_context is None or _external
                or _anchor is not None or _method is not None or _scheme is not None
                or len(values) != 1 or not isinstance(values.get("filename"), str)
                or any(self.url_default_functions.values())):
            return super().url_for(endpoint, _anchor=_anchor, _method=_method,
                                   _scheme=_scheme, _external=_external, **values)
        key = (endpoint, values["filename"], request_context.request.script_root)
        url = self._static_urls.get(key)
        if url is None:
            if len(self._static_urls) >= KEPT_STATIC_URLS:
                self._static_urls.clear()
            url = self._static_urls[key] = super().url_for(endpoint, **values)
        return url
