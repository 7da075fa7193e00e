"""Approval chains: the engine (engine.py) and one small file per chain.

【待办任务】 finds the chains through the views that review them
(views.common.approval.ApprovalViews).
"""
