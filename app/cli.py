"""Site commands: `flask roles sync`, `flask demo load`, `flask calendar import`,
`flask supervision refresh`, `flask users unlock`."""
import click
from flask import current_app
from flask.cli import AppGroup

roles_cli = AppGroup("roles", help="角色与权限")
demo_cli = AppGroup("demo", help="演示数据")
calendar_cli = AppGroup("calendar", help="节假日维护（工作日历）")
supervision_cli = AppGroup("supervision", help="项目监督")
users_cli = AppGroup("users", help="用户")


@roles_cli.command("sync")
def roles_sync():
    """Make roles match app/security.py (idempotent)."""
    from .security import FAB_SECURITY_LOGGER, quiet_cleanup_refusals, sync_roles

    changes = sync_roles(current_app.appbuilder, current_app.config["SITE"])
    for line in changes:
        click.echo(line)
    kept = quiet_cleanup_refusals().last_sync
    click.echo(f"roles synced: {len(changes)} change(s)"
               + (f"; {kept} permission(s) kept because a role holds them "
                  f"(listed at DEBUG by {FAB_SECURITY_LOGGER})" if kept else ""))


@demo_cli.command("load")
@click.option("--stages", is_flag=True,
              help="另建各阶段的演示项目（GPS 与两个交易平台一起，见 README）")
def demo_load(stages):
    """Load the demo regions, organisations, users and plans (idempotent).
    --stages: also a project at every stage in each region, on GPS and both
    local trading sites (migrated and role-synced first)."""
    from .demo import load
    from .demo_stages import DemoRefused

    try:
        summary = load(current_app, stages=stages)
    except DemoRefused as refused:
        raise click.ClickException(f"演示数据未能完整载入：{refused}") from None
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


@supervision_cli.command("refresh")
@click.option("--all", "everything", is_flag=True, help="重建全部项目（升级后）")
@click.argument("plan_ids", nargs=-1, type=int)
def supervision_refresh(everything, plan_ids):
    """Rebuild the 项目监督 rows and 预警 of the given plans, or of all (--all)."""
    from . import supervision
    from .extensions import db

    if not everything and not plan_ids:
        raise click.UsageError("请给出计划 ID，或使用 --all 重建全部项目")
    if "supervision" not in current_app.extensions:
        raise click.ClickException("项目监督只在政府采购系统（GPS）站点上")
    written = (supervision.refresh_all(db.session) if everything
               else supervision.refresh(db.session, plan_ids))
    db.session.commit()
    click.echo(f"supervision refreshed: {written} project(s)")


@users_cli.command("unlock")
@click.argument("username")
def users_unlock(username):
    """Let an account whose failed sign-ins reached AUTH_ACCOUNT_LIMIT sign
    in again now."""
    sm = current_app.appbuilder.sm
    if sm.find_user(username=username) is None:
        raise click.ClickException(f"没有用户名为“{username}”的账号。")
    try:
        sm.unlock_sign_in(username)
    except Exception as error:  # noqa: BLE001 — the limiter's storage, not ours
        # Not the storage's URI: it may hold Redis's password.
        raise click.ClickException(f"无法清除登录失败计数（限流存储 Redis 无法连接）：{error}") \
            from error
    click.echo(f"已解除账号“{username}”的登录失败限制。")


def init_app(app):
    app.cli.add_command(roles_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(calendar_cli)
    app.cli.add_command(supervision_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(sync_cli)


sync_cli = AppGroup("sync", help="互联互通同步")


@sync_cli.command("worker")
@click.option("--peer", "peers", multiple=True,
              help="只处理发往该对端的队列（可重复）；不给则为每个对端各起一个工作进程")
@click.option("--sweep", is_flag=True, help="只处理扫描队列 sync-<site>-sweep")
@click.option("--burst", is_flag=True, help="处理完队列后退出")
def sync_worker(peers, sweep, burst):
    """Deliver this site's messages. Without --peer/--sweep: a supervisor
    that forks one worker process per active peer's queue and one for the
    sweep queue (a hung peer holds up only its own queue) and restarts any
    that dies. Every worker rides out a Redis outage by itself."""
    from .extensions import db
    from .models import Peer
    from .sync import queues, runner

    if peers or sweep:
        names = [queues.queue_name(code) for code in peers]
        names += [queues.sweep_queue_name()] if sweep else []
        role = "worker-" + ("sweep" if sweep and not peers else "+".join(peers))
        click.echo("listening on: " + ", ".join(names))
        runner.run_worker(names, role, burst=burst)
        return
    codes = [p.code for p in db.session.query(Peer).filter_by(active=True).order_by(Peer.code)]
    db.session.rollback()
    if burst:  # one pass over everything, in this process (tests, one-off drains)
        names = [queues.queue_name(code) for code in codes] + [queues.sweep_queue_name()]
        click.echo("listening on: " + ", ".join(names))
        runner.run_worker(names, "worker-burst", burst=True)
        return
    # The children are forks of this process: none may inherit a connection.
    db.session.remove()
    db.engine.dispose()

    def child(names, role):
        return lambda: runner.run_worker(names, role)

    children = {f"worker {code}": child([queues.queue_name(code)], f"worker-{code}")
                for code in codes}
    children["worker sweep"] = child([queues.sweep_queue_name()], "worker-sweep")
    click.echo("supervising: " + ", ".join(children))
    raise SystemExit(runner.supervise(children))


@sync_cli.command("cron")
@click.option("--every", default=5, show_default=True, help="扫描间隔（秒）")
def sync_cron(every):
    """Run the sweeper every few seconds through RQ's cron scheduler; rides
    out a Redis outage by itself."""
    from .sync import queues, runner
    from .sync.tasks import sweep_job

    def register(scheduler):
        scheduler.register(sweep_job, queue_name=queues.sweep_queue_name(),
                           args=(queues.site_id(),), interval=every, job_timeout=120)

    runner.run_cron("cron", f"sweeper-{queues.site_id()}", register)


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
    from .sync.signing import key_error

    if message := key_error(secret):
        raise click.ClickException(message)
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

