"""Templates' _() with fewer lookups per string.

Flask-Babel's Jinja callables find the domain, the app context's namespace
and the locale again for every string, through about nine LocalProxy hops,
then format the locale's name to find its catalogue. A page says some 90
strings (the menu, the filters, the column heads): that was about a third of
a bare FAB page (10 → 7 ms, docs/benchmarks.md, 项目监督). Here the locale
is still asked for every string, so force_locale and the language switch
behave as before; only the catalogue is kept per locale, for the app's life,
as Flask-Babel keeps it too. And a template's _() is Jinja's newstyle
gettext itself, not an alias that looks it up on every call (gettext below).
"""
from flask.globals import _cv_app
from flask_babel import get_locale, get_translations
from jinja2 import pass_context
from markupsafe import Markup


def current_locale():
    """Flask-Babel's get_locale(), without its five proxy hops once the
    request's locale is settled: the locale Flask-Babel keeps in `g` (which
    force_locale sets too), or else get_locale() itself."""
    context = _cv_app.get(None)
    if context is not None:
        locale = getattr(context.g.__dict__.get("_flask_babel"), "babel_locale", None)
        if locale is not None:
            return locale
    return get_locale()


def init_app(app) -> None:
    """After Flask-Babel (FAB's BabelManager) has installed its callables."""
    by_locale: dict = {}

    def translations():
        locale = current_locale()
        found = by_locale.get(locale)
        if found is None:
            found = get_translations()
            if locale is not None:
                by_locale[locale] = found
        return found

    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
        newstyle=True)

    @pass_context
    def gettext(context, string, **variables):
        """Jinja's newstyle gettext (jinja2.ext._make_new_gettext), called
        directly as _() and gettext(), not through _gettext_alias and two
        Context.call()s; and a string with no "%" and no variables is not
        put through Markup's "%" (which then changes nothing, at ~2 µs).
        Each _() took ~10 µs, and a page says 50–90 of them."""
        translated = translations().ugettext(string)
        if context.eval_ctx.autoescape:
            translated = Markup(translated)
        if variables or "%" in translated:
            return translated % variables
        return translated

    app.jinja_env.globals.update(_=gettext, gettext=gettext)
