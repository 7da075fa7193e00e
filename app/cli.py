"""Site commands: `flask roles sync`, `flask demo load`."""
import click
from flask import current_app
from flask.cli import AppGroup

roles_cli = AppGroup("roles", help="角色与权限")
demo_cli = AppGroup("demo", help="演示数据")


@roles_cli.command("sync")
def roles_sync():
    """Make roles match app/security.py (idempotent)."""
    from .security import sync_roles

    changes = sync_roles(current_app.appbuilder, current_app.config["SITE"])
    for line in changes:
        click.echo(line)
    click.echo(f"roles synced: {len(changes)} change(s)")


@demo_cli.command("load")
def demo_load():
    """Load the demo regions, organisations, users and plans (idempotent)."""
    from .demo import load

    summary = load(current_app)
    click.echo("demo loaded: " + ", ".join(f"{k}={v}" for k, v in summary.items()))


def init_app(app):
    app.cli.add_command(roles_cli)
    app.cli.add_command(demo_cli)
