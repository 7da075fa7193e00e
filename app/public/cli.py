"""`flask website seed`: made-up notices for the website (trading sites only)."""
import click
from flask.cli import AppGroup

from ..models import NOTICE_COLUMNS
from .columns import SLUGS

website_cli = AppGroup("website", help="公共资源交易网")


@website_cli.command("seed")
@click.option("--count", type=click.IntRange(min=0), default=50, show_default=True,
              help="已发布公告条数")
@click.option("--column", default=None,
              help="栏目：" + "、".join(NOTICE_COLUMNS) + "，或其英文标识 " + ", ".join(SLUGS))
@click.option("--unpublished", type=click.IntRange(min=0), default=0, show_default=True,
              help="另加未发布（不显示）的公告条数")
@click.option("--days", type=click.IntRange(min=1), default=1095, show_default=True,
              help="发布时间分布在最近多少天内")
def seed(count, column, unpublished, days):
    """Add made-up notices (bodies sanitised like synced ones)."""
    from .seed import seed_notices

    if column is not None:
        column = SLUGS.get(column, column)
        if column not in NOTICE_COLUMNS:
            raise click.BadParameter(f"未知栏目 {column!r}", param_hint="--column")
    added = seed_notices(count, column, unpublished=unpublished, days=days)
    click.echo(f"seeded {added} notice(s)")
