"""RQ entry points. A job names its site; each worker process builds that
site's app once (from the environment, like `flask --app run`) and reuses it."""
_apps: dict = {}


def site_app(site_id: str):
    if site_id not in _apps:
        from .. import create_app

        if site_id == "gps":
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
