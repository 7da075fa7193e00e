"""The sites' Jinja environment (app/templating.py): template globals whose
keys() is a set, so that an {% import %} costs a set difference in C, with
everything rendering as under Flask's own environment."""
from collections import ChainMap

from flask.templating import Environment
from jinja2 import DictLoader

from app.templating import Site, SiteEnvironment, TemplateGlobals

TEMPLATES = {
    "lib.html": "{% macro shown(x) %}[{{ x }}|{{ site_name }}|{{ late | default('-') }}]{% endmacro %}",
    "page.html": "{% import 'lib.html' as lib %}{{ lib.shown(word) }}",
    "with.html": "{% import 'lib.html' as lib with context %}{{ lib.shown(word) }}",
}


def test_the_keys_are_the_chain_maps_own_and_stay_live():
    maps = [{"a": 1}, {"b": 2, "a": 3}]
    kept = TemplateGlobals(*maps)
    assert kept.keys() == set(ChainMap(*maps).keys()) == {"a", "b"}
    maps[1]["c"] = 4
    assert kept.keys() == {"a", "b", "c"}
    assert {"a", "z"} - kept.keys() == {"z"}


def test_both_sites_render_with_it(gps_demo, pds_demo):
    for app in (gps_demo, pds_demo):
        assert isinstance(app, Site) and isinstance(app.jinja_env, SiteEnvironment)
        assert isinstance(app.jinja_env.get_template("appbuilder/general/lib.html").globals,
                          TemplateGlobals)


def test_imports_render_as_under_flasks_environment(gps_demo):
    """The same steps through both environments: imports with and without
    context, a global added after the templates were loaded, a template's
    own globals."""
    def steps(environment_class):
        env = environment_class(gps_demo, loader=DictLoader(TEMPLATES))
        env.globals["site_name"] = "政府采购系统"
        out = [env.get_template(name).render(word="甲") for name in ("page.html", "with.html")]
        env.globals["late"] = "后来"
        out += [env.get_template(name).render(word="乙") for name in ("page.html", "with.html")]
        own = env.get_template("page.html", globals={"site_name": "交易平台"})
        out.append(own.render(word="丙"))
        return out

    ours = steps(SiteEnvironment)
    assert ours == steps(Environment)
    assert ours[0] == "[甲|政府采购系统|-]"


def test_static_urls_are_flasks_kept_per_name_and_mount_point(gps_demo):
    """Site.url_for keeps a static file's path per name and mount point;
    every other call is Flask's own."""
    from flask import Flask

    def urls(root):
        with gps_demo.test_request_context("/", environ_overrides={"SCRIPT_NAME": root}):
            return [gps_demo.url_for("appbuilder.static", filename="css/ab.css"),
                    gps_demo.url_for("static", filename="js/confirm.js"),
                    gps_demo.url_for("static", filename="a b/c?.js"),
                    gps_demo.url_for("static", filename="js/confirm.js", v=2),
                    gps_demo.url_for("static", filename="js/confirm.js", _external=True),
                    gps_demo.url_for("static", filename="js/confirm.js", _anchor="x")]

    def flasks(root):
        with gps_demo.test_request_context("/", environ_overrides={"SCRIPT_NAME": root}):
            return [Flask.url_for(gps_demo, "appbuilder.static", filename="css/ab.css"),
                    Flask.url_for(gps_demo, "static", filename="js/confirm.js"),
                    Flask.url_for(gps_demo, "static", filename="a b/c?.js"),
                    Flask.url_for(gps_demo, "static", filename="js/confirm.js", v=2),
                    Flask.url_for(gps_demo, "static", filename="js/confirm.js", _external=True),
                    Flask.url_for(gps_demo, "static", filename="js/confirm.js", _anchor="x")]

    gps_demo._static_urls.clear()
    for root in ("", "/gps", ""):  # kept after the first round, and per mount point
        assert urls(root) == flasks(root)
    assert urls("/gps")[1] == "/gps/static/js/confirm.js"
    assert {key[2] for key in gps_demo._static_urls} == {"", "/gps"}
    assert len(gps_demo._static_urls) == 6  # three names, two mount points: only the plain calls

    # A url_defaults function may change any URL: then none is kept.
    gps_demo._static_urls.clear()
    gps_demo.url_default_functions[None].append(lambda endpoint, values: None)
    try:
        assert urls("") == flasks("")
        assert gps_demo._static_urls == {}
    finally:
        gps_demo.url_default_functions[None].pop()
