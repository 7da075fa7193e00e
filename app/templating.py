"""The Flask app class of both sites, for its Jinja environment.

Jinja keeps each template's globals in a ChainMap over the environment's,
and at every `{% import %}` subtracts their names from the rendering
context's (Template._get_default_module). Subtracting a ChainMap's KeysView
is a Python loop over the names, each looked up through a generator: a
list page imports FAB's macro libraries eight times, and that was ~4 % of
a 采购计划 page on PostgreSQL (docs/benchmarks.md, #17 item 1). Here
keys() is a plain set, subtracted in C; still built from the maps on every
call, so a global added later is seen as before.
"""
from collections import ChainMap

from flask import Flask
from flask.templating import Environment


class TemplateGlobals(ChainMap):
    def keys(self):
        return set().union(*self.maps)


class SiteEnvironment(Environment):
    def make_globals(self, d):
        return TemplateGlobals({} if d is None else d, self.globals)


class Site(Flask):
    jinja_environment = SiteEnvironment
