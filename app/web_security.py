"""HTTP security headers on every response.

Scripts run only from files served by this site, or inline with this
response's nonce: FAB's own templates carry inline scripts (the list's
actions, the search form, the confirm dialog) and already print
`nonce="{{ baselib.get_nonce() }}"` when a `csp_nonce()` is in the template
context, so we give them one. Our own templates have no inline script at all
(app/static/js/ instead); inline event handlers (onclick=…) are refused by
the browser because 'unsafe-inline' is not allowed.
"""
import secrets

from flask import g

CSP = ("default-src 'self'; script-src 'self' 'nonce-{nonce}'; "
       "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
       "frame-ancestors 'self'; form-action 'self'; base-uri 'self'; object-src 'none'")


def csp_nonce() -> str:
    """This response's script nonce, made on first use."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def init_app(app):
    app.jinja_env.globals["csp_nonce"] = csp_nonce

    @app.after_request
    def add_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Content-Security-Policy", CSP.format(nonce=csp_nonce()))
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault("Strict-Transport-Security",
                                        "max-age=31536000; includeSubDomains")
        return response
