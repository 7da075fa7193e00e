"""Row-level scope: which records the signed-in user may see.

A unit's staff see their unit's records, an agency what is entrusted to it,
a regulator (or trading centre) its region and every region below, Admin
everything. The same clauses back list/show/edit/delete, REST, related
dropdowns and search forms, through the FAB filters at the bottom.
"""
from flask import g
from flask_appbuilder.models.filters import BaseFilter
from sqlalchemy import bindparam, false, select, true

from .extensions import read
from .models import (Contract, ExpertDraw, ExpertRequest, Lot, LotReplica, Notice, Objection, Organisation, Plan, Platform,
                     ProjectReplica, PublishedNotice, Region, TimeChange, TradingProject, WinnerChange)
from .security import ADMIN

REGIONAL_TYPES = ("监管部门", "交易中心")


def current_user():
    user = getattr(g, "user", None)
    return user if user is not None and user.is_authenticated else None


def api_user():
    """The REST token's user: an API's before_request runs before FAB's
    @protect has read it. None without a valid token (@protect answers that)."""
    from flask_jwt_extended import current_user as token_user
    from flask_jwt_extended import verify_jwt_in_request

    try:
        if verify_jwt_in_request(optional=True) is None:
            return None
    except Exception:  # noqa: BLE001 - a bad token: @protect answers it
        return None
    return token_user


def is_admin(user) -> bool:
    return any(r.name == ADMIN for r in user.roles)


def region_subtree(region_code_path: str):
    """Codes of a region and all regions below it (a SELECT to embed)."""
    return select(Region.code).where(Region.path.like(region_code_path + "%"))


def in_region_subtree(column, region_code_path: str):
    """`column` is the code of a region or a region below it, the codes read
    now and written into the statement as constants. Behind a subquery
    (region_subtree) the planner cannot tell how many rows a region has:
    PostgreSQL guessed a quarter of the table for any region, so at 1,000,000
    projects it sorted a city's 830,000 for each page of 【项目监督】, and
    once an index in date order was there, walked all of it for a city with
    no projects (1.2 s). Constants it weighs against the column's statistics;
    and each list is its own statement text, so no prepared statement plans
    one region by another's."""
    codes = read(region_subtree(region_code_path)).scalars().all()
    return column.in_(bindparam("region_codes", codes, expanding=True, literal_execute=True,
                                unique=True))


def region_ancestors(region) -> list[str]:
    """The region's own code and its ancestors', from its path."""
    return [c for c in region.path.split("/") if c]


def by_organisation(user, rule):
    """Nothing for anonymous users or users without an organisation,
    everything for Admin, otherwise rule(organisation)."""
    if user is None:
        return false()
    if is_admin(user):
        return true()
    org = user.organisation
    return false() if org is None else rule(org)


def _plan_rule(org):
    if org.org_type == "采购单位":
        return Plan.unit_id == org.id
    if org.org_type == "代理机构":
        return Plan.agency_id == org.id
    if org.org_type in REGIONAL_TYPES:
        return Plan.region_code.in_(region_subtree(org.region.path))
    return false()


def _winner_change_rule(org):
    """The unit's own filings; a regulator's region and below once submitted
    (a 草稿 is the unit's own until then, as a notice's draft is). Agencies
    and trading centres have no part in this GPS-only filing."""
    if org.org_type == "采购单位":
        return WinnerChange.unit_id == org.id
    if org.org_type == "监管部门":
        return WinnerChange.region_code.in_(region_subtree(org.region.path)) & (
            WinnerChange.state != "草稿")
    return false()


def _contract_rule(org):
    """合同公告及备案: the unit's own contracts; a regulator's region and
    below once filed (the 备案 is what reaches them). Agencies and trading
    centres have no part in it."""
    if org.org_type == "采购单位":
        return Contract.unit_id == org.id
    if org.org_type == "监管部门":
        # Filing sets filed_at (workflows/contract.py); said here too, so that
        # a list newest filing first walks ix_contract_filed_at from the first
        # filed contract, not down through every unfiled one, which a
        # descending order puts first on PostgreSQL (at 500,000 contracts
        # 10,000 rows, 14.8 → 0.2 ms).
        return Contract.region_code.in_(region_subtree(org.region.path)) & (
            Contract.state == "已备案") & Contract.filed_at.isnot(None)
    return false()


def _expert_request_rule(org):
    """专家抽取申请: the unit's own, those the agency filed or is entrusted
    with, a regulator's region and below."""
    if org.org_type == "采购单位":
        return ExpertRequest.unit_id == org.id
    if org.org_type == "代理机构":
        return ExpertRequest.agency_id == org.id
    if org.org_type == "监管部门":
        return ExpertRequest.region_code.in_(region_subtree(org.region.path))
    return false()


def _project_rule(org, model=TradingProject):
    """Trading site: the agency's own projects; a centre's region and below.
    Of `model`: the project, or a row holding copies of its agency_id and
    region_code."""
    if org.org_type == "代理机构":
        return model.agency_id == org.id
    if org.org_type == "交易中心":
        return model.region_code.in_(region_subtree(org.region.path))
    return false()


def _published_notice_rule(org):
    """Trading site, 【项目公告】: notices of the projects _project_rule shows.

    Asked of each notice (its project found by its unique code), not as IN:
    SQLite builds an IN's whole list first, every project of a city's centre
    (417,000 at 1,000,000 plans, bench/trading_list_bench.py: 140–180 ms a
    COUNT), where the list walks newest first and stops at a page. Like the
    other such clauses here, it is a condition on the enclosing statement's
    row: use it in a statement over published_notice (elsewhere it would
    refer to no row, and hold for all of them)."""
    return (select(TradingProject.id)
            .where(TradingProject.project_code == PublishedNotice.project_code,
                   _project_rule(org))
            .correlate_except(TradingProject).exists())


def _project_replica_rule(org):
    """GPS: projects (and their lots) of the unit's plans, the agency's, or
    the regulator's region."""
    def of_plans(rule):
        # Asked of each project (its plan by key), as _published_notice_rule;
        # so only in a statement over project_replica.
        return (select(Plan.id).where(Plan.id == ProjectReplica.plan_id, rule)
                .correlate_except(Plan).exists())

    if org.org_type == "采购单位":
        return of_plans(Plan.unit_id == org.id)
    if org.org_type == "代理机构":
        return ProjectReplica.agency_credit_code == org.credit_code
    if org.org_type == "监管部门":
        return of_plans(Plan.region_code.in_(region_subtree(org.region.path)))
    return false()


def _organisation_rule(org):
    if org.org_type in REGIONAL_TYPES:
        return Organisation.region_code.in_(region_subtree(org.region.path))
    return Organisation.id == org.id


def plan_clause(user):
    return by_organisation(user, _plan_rule)


def _notice_rule(org):
    """Who may draft notices (security.PUBLISH_NOTICES): the unit's 经办岗 and
    the entrusted agency. A draft is theirs until 【发布】; everyone else who
    follows the project (regulators, trading centres) sees published notices
    only.

    Found by the copies each notice holds of its plan's unit, agency and
    region (plans.prepare carries a plan's changes to them), not as IN of
    the plans in scope: at 1,000,000 plans REST's exact count of
    /api/v1/notice/ spent 212 ms (a unit's), 380 ms (a city regulator's)
    and 131 ms (the agency's) building that list."""
    if org.org_type == "采购单位":
        return Notice.unit_id == org.id
    if org.org_type == "代理机构":
        return Notice.agency_id == org.id
    if org.org_type in REGIONAL_TYPES:
        return Notice.region_code.in_(region_subtree(org.region.path)) & (Notice.state != "草稿")
    return false()


def notice_clause(user):
    """GPS: the notices of the plans the user sees (信息发布); drafts only
    for the unit and its agency."""
    return by_organisation(user, _notice_rule)


def winner_change_clause(user):
    return by_organisation(user, _winner_change_rule)


def contract_clause(user):
    return by_organisation(user, _contract_rule)


def expert_request_clause(user):
    clause = by_organisation(user, _expert_request_rule)
    org = getattr(user, "organisation", None)
    if org is not None and org.org_type == "监管部门":
        # And those the regulator drew for, wherever their unit has since
        # moved (organisations.carry_region): until the 评审时间 the names are
        # the drawer's alone, so only the drawer can finish the calls
        # (expert_draw.carries_on).
        clause = clause | (select(ExpertDraw.id)
                           .where(ExpertDraw.request_id == ExpertRequest.id,
                                  ExpertDraw.drawn_by_id == user.id)
                           .correlate_except(ExpertDraw).exists())
    return clause


def project_clause(user):
    return by_organisation(user, _project_rule)


def time_change_clause(user):
    """变更公告 of the projects project_clause shows, by the project's agency
    and region each entry holds (time_changes.notice_arrived copies them;
    a project's agency and region are set when it is entered and never
    change). As IN of the projects in scope, SQLite listed a city's 417,000
    projects first: 320 ms for the centre's page (session 49)."""
    return by_organisation(user, lambda org: _project_rule(org, TimeChange))


def lot_clause(user, *conditions):
    """Lots of the projects project_clause shows (and that meet
    `conditions` on TradingProject), asked of each lot (its project by
    primary key) rather than as IN, which SQLite answers by listing every
    project in scope first: an agency's 标段 page 44 → 0.2 ms at a city's
    417,000 projects (bench/trading_list_bench.py). The project table is the
    subquery's own, never one of the enclosing statement. A condition on the
    enclosing statement's lot: use it only in a statement over lot."""
    return (select(TradingProject.id)
            .where(TradingProject.id == Lot.project_id, project_clause(user), *conditions)
            .correlate_except(TradingProject).exists())


def objection_clause(user):
    """项目质疑 of the projects project_clause shows, by the project's
    agency and region each 质疑 holds (models.Objection). Every 质疑's
    project is 受理通过: a 质疑 is registered only then, and that state is
    final."""
    return by_organisation(user, lambda org: _project_rule(org, Objection))


def project_replica_clause(user):
    return by_organisation(user, _project_replica_rule)


def lot_replica_clause(user):
    return LotReplica.project_code.in_(
        select(ProjectReplica.project_code).where(project_replica_clause(user)))


def organisation_clause(user):
    return by_organisation(user, _organisation_rule)


class ScopeFilter(BaseFilter):
    """FAB filter whose value is ignored: the clause comes from the user."""

    name = "本人可见范围"
    arg_name = "scope"
    clause = None

    def apply(self, query, value):
        return query.filter(type(self).clause(current_user()))


class PlanScope(ScopeFilter):
    clause = staticmethod(plan_clause)


class NoticeScope(ScopeFilter):
    clause = staticmethod(notice_clause)


class WinnerChangeScope(ScopeFilter):
    clause = staticmethod(winner_change_clause)


class ContractScope(ScopeFilter):
    clause = staticmethod(contract_clause)


class ExpertRequestScope(ScopeFilter):
    clause = staticmethod(expert_request_clause)


class ProjectScope(ScopeFilter):
    clause = staticmethod(project_clause)


class TimeChangeScope(ScopeFilter):
    clause = staticmethod(time_change_clause)


class LotScope(ScopeFilter):
    clause = staticmethod(lot_clause)


class ObjectionScope(ScopeFilter):
    clause = staticmethod(objection_clause)


class PublishedNoticeScope(ScopeFilter):
    @staticmethod
    def clause(user):
        return by_organisation(user, _published_notice_rule)


class ProjectReplicaScope(ScopeFilter):
    clause = staticmethod(project_replica_clause)


class LotReplicaScope(ScopeFilter):
    clause = staticmethod(lot_replica_clause)


class OrganisationScope(ScopeFilter):
    clause = staticmethod(organisation_clause)


class UnitsInScope(ScopeFilter):
    """采购单位 the user may see (for dropdowns and search over units)."""

    @staticmethod
    def clause(user):
        return (Organisation.org_type == "采购单位") & organisation_clause(user)


class PlatformsForUser(ScopeFilter):
    """Platforms serving the user's region or a region above it."""

    @staticmethod
    def clause(user):
        return Platform.active.is_(True) & by_organisation(
            user, lambda org: Platform.region_code.in_(region_ancestors(org.region)))


# 【专家库】: maintained by the regulators of the expert's region and above.
def _expert_rule(org):
    from .models import Expert

    if org.org_type == "监管部门":
        return Expert.region_code.in_(region_subtree(org.region.path))
    return false()


def expert_clause(user):
    return by_organisation(user, _expert_rule)


class ExpertScope(ScopeFilter):
    clause = staticmethod(expert_clause)


class RegionsInScope(ScopeFilter):
    """The user's region and those below it (Admin: all)."""

    @staticmethod
    def clause(user):
        return by_organisation(user, lambda org: Region.code.in_(region_subtree(org.region.path)))
