"""Site commands: `flask roles sync`, `flask demo load`, `flask calendar import`."""
import click
from flask import current_app
from flask.cli import AppGroup

roles_cli = AppGroup("roles", help="角色与权限")
demo_cli = AppGroup("demo", help="演示数据")
calendar_cli = AppGroup("calendar", help="节假日维护（工作日历）")


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


@calendar_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--state", type=click.Choice(["正式", "暂定"]), help="默认按文件，文件未写则为正式")
def calendar_import(path, state):
    """Import a year from a JSON or CSV file (the 【导入】 format, docs/operations.md).
    Idempotent: the same file again changes nothing."""
    from pathlib import Path

    from . import holidays
    from .extensions import db

    try:
        parsed = holidays.parse_file(path, Path(path).read_bytes()[:holidays.MAX_FILE_BYTES + 1])
        changed = holidays.import_year(parsed, None, state=state)
    except holidays.Refusal as refusal:
        db.session.rollback()
        raise click.ClickException("未导入：" + "；".join(refusal.errors.values())) from None
    db.session.commit()
    click.echo(f"{parsed.year}: " + ("imported" if changed else "unchanged"))


@calendar_cli.command("status")
def calendar_status():
    """Which years are 正式 and which 暂定."""
    import datetime as dt

    from . import holidays

    today = dt.date.today()
    for year in range(today.year - 1, today.year + 2):
        click.echo(f"{year}: {holidays.year_state(year)}")


def init_app(app):
    app.cli.add_command(roles_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(calendar_cli)
    app.cli.add_command(sync_cli)


sync_cli = AppGroup("sync", help="互联互通同步")


@sync_cli.command("worker")
@click.option("--burst", is_flag=True, help="处理完队列后退出")
def sync_worker(burst):
    """Run an RQ worker for this site's sync queues (round robin per peer)."""
    from rq import SimpleWorker
    from rq.worker import DequeueStrategy

    from .models import Peer
    from .sync import queues

    from .extensions import db

    peers = [p.code for p in db.session.query(Peer).filter_by(active=True)]
    db.session.rollback()
    names = [queues.queue_name(code) for code in peers] + [queues.sweep_queue_name()]
    click.echo("listening on: " + ", ".join(names))
    worker = SimpleWorker(names, connection=queues.connection())
    worker.work(with_scheduler=True, burst=burst, dequeue_strategy=DequeueStrategy.ROUND_ROBIN,
                logging_level="INFO")


@sync_cli.command("cron")
@click.option("--every", default=5, show_default=True, help="扫描间隔（秒）")
def sync_cron(every):
    """Run the sweeper every few seconds through RQ's cron scheduler."""
    from rq.cron import CronScheduler

    from .sync import queues
    from .sync.tasks import sweep_job

    scheduler = CronScheduler(connection=queues.connection(), name=f"sweeper-{queues.site_id()}",
                              logging_level="WARNING")
    scheduler.register(sweep_job, queue_name=queues.sweep_queue_name(),
                       args=(queues.site_id(),), interval=every, job_timeout=120)
    scheduler.start()


@sync_cli.command("sweep")
def sync_sweep():
    """Enqueue every due, unheld outbox message once (what the cron runs)."""
    from .sync.sweeper import sweep

    click.echo(f"enqueued {sweep()} message(s)")


@sync_cli.command("replay")
@click.argument("message_id")
def sync_replay(message_id):
    """【重新推送】 a dead or failed message from the command line."""
    from .extensions import db
    from .models import OutboxMessage
    from .sync import delivery

    row = db.session.query(OutboxMessage).filter_by(message_id=message_id).one_or_none()
    if row is None:
        raise click.ClickException(f"没有这条消息：{message_id}")
    delivery.replay(row)
    db.session.commit()
    click.echo(f"{message_id} 已重新排队")


@sync_cli.command("reconcile")
@click.option("--peer", "peer_code", required=True, help="对端编码，如 gps")
@click.option("--since", default=0, show_default=True, help="起始水位（outbox 序号）")
def sync_reconcile(peer_code, since):
    """Pull the peer's change feed and apply whatever never arrived."""
    from .sync.feed import reconcile

    result = reconcile(peer_code, since)
    click.echo(f"applied={result['applied']} duplicates={result['duplicates']} "
               f"watermark={result['watermark']}")


@sync_cli.command("add-key")
@click.option("--peer", "peer_code", required=True)
@click.option("--secret", default=None, help="whsec_…；不给则生成一个并打印")
def sync_add_key(peer_code, secret):
    """Rotation step 1: add a new key (both keys verify until the old one retires)."""
    import base64
    import secrets as token

    from .extensions import db
    from .models import Peer, PeerKey

    if db.session.get(Peer, peer_code) is None:
        raise click.ClickException(f"未知的对端：{peer_code}")
    secret = secret or "whsec_" + base64.b64encode(token.token_bytes(32)).decode()
    db.session.add(PeerKey(peer_code=peer_code, secret=secret, note="轮换新增"))
    db.session.commit()
    click.echo(secret)


@sync_cli.command("retire-keys")
@click.option("--peer", "peer_code", required=True)
def sync_retire_keys(peer_code):
    """Rotation step 2: retire every key of the peer but the newest."""
    import datetime as dt

    from .extensions import db
    from .models import PeerKey

    keys = (db.session.query(PeerKey).filter_by(peer_code=peer_code, active=True)
            .order_by(PeerKey.id.desc()).all())
    for key in keys[1:]:
        key.active, key.retired_at = False, dt.datetime.now()
    db.session.commit()
    click.echo(f"retired {max(len(keys) - 1, 0)} key(s)")

