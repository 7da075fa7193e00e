"""Approval chains: the engine (engine.py) and one small file per chain.

chains() maps every chain's key to its class, for 【待办任务】 and the review page.
"""


def chains() -> dict:
    from .winner_change import WinnerChangeChain

    return {chain.key: chain for chain in (WinnerChangeChain,)}
