"""Templates' _() with fewer lookups per string.

Flask-Babel's Jinja callables find the domain, the app context's namespace
and the locale again for every string, through about nine LocalProxy hops,
then format the locale's name to find its catalogue. A page says some 90
strings (the menu, the filters, the column heads): that was about a third of
a bare FAB page (10 → 7 ms, docs/benchmarks.md, 项目监督). Here the locale
is still asked for every string, so force_locale and the language switch
behave as before; only the catalogue is kept per locale, for the app's life,
as Flask-Babel keeps it too.
"""
from flask_babel import get_locale, get_translations


def init_app(app) -> None:
    """After Flask-Babel (FAB's BabelManager) has installed its callables."""
    by_locale: dict = {}

    def translations():
        locale = get_locale()
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
