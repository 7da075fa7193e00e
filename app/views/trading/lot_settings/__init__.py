"""【项目管理】 on a trading site, after 受理通过: 资费定义, 招标文件规划与开评标配置,
评分标准, 符合性审查, 项目质疑, 开标记录 and 项目阶段 (开始评标 / 评标结束); and
their REST APIs. The rules are in app/lot_settings.py; this module only asks
them and says no in the form (inline, or flashed) or as a 422 on REST.
"""
from .fees import LotFeeApi, LotFeeView, LotSettingApi, LotSettingView
from .objections import ObjectionApi, ObjectionView
from .opening import OpeningBidApi, OpeningBidView
from .scoring import ComplianceItemApi, ComplianceItemView, ScoringItemApi, ScoringItemView
from .stages import ProjectStageApi, ProjectStageView

# 招标文件规划's page lists the lot's 评分标准 and 符合性审查 below it.
LotSettingView.related_views = [ScoringItemView, ComplianceItemView]

__all__ = ["LotFeeView", "LotSettingView", "ScoringItemView", "ComplianceItemView",
           "ObjectionView", "OpeningBidView", "ProjectStageView", "LotFeeApi",
           "LotSettingApi", "ScoringItemApi", "ComplianceItemApi", "ObjectionApi",
           "OpeningBidApi", "ProjectStageApi"]
