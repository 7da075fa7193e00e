"""RQ entry points. A job names its site; each worker process runs it in
that site's app, built once and reused."""
from flask import current_app, has_app_context

_apps: dict = {}


def site_app(site_id: str):
    if site_id not in _apps:
        from .. import create_app

        if has_app_context() and current_app.config.get("SITE_ID") == site_id:
            # A `flask sync worker` process runs inside its site's app already.
            # Building a second one cost ~3 s of CPU before its first delivery,
            # which then waited that long (and up to 8 s on a loaded machine).
            _apps[site_id] = current_app._get_current_object()
        elif site_id == "gps":
            _apps[site_id] = create_app("gps")
        else:
            _apps[site_id] = create_app("trading", platform=site_id.removeprefix("trading-"))
    return _apps[site_id]


def deliver_job(site_id: str, message_id: str) -> str:
    from .delivery import deliver

    app = site_app(site_id)
    with app.app_context():
        return deliver(message_id, app.config["SITE_CODE"])


def sweep_job(site_id: str) -> int:
    from .sweeper import sweep

    with site_app(site_id).app_context():
        return sweep()


def periodic_job(site_id: str) -> None:
    """Scheduled for a known moment (e.g. a 评审时间): the domains' periodic
    work now rather than at the next sweep."""
    from .sweeper import run_periodic

    with site_app(site_id).app_context():
        run_periodic()
