"""Plan push end to end over real HTTP: 采购计划备案 on GPS → 选择计划 list on
the chosen trading platform, and nowhere else."""
import signal
import time

import redis

from tests.e2e.stack import wait_for

PLAN = {"project_name": "端到端推送项目", "procurement_method": "公开招标", "category": "货物",
        "item_name": "服务器", "budget": "2000000.00", "fund_source": "财政性资金",
        "expected_date": "2026-12-31", "platform": "410400", "interconnected": True}


def file_plan(stack, name=PLAN["project_name"], **changes):
    gps = stack.api("gps", "jingban")
    created = gps.post(stack.url("gps") + "/api/v1/plan/", json={**PLAN, **changes,
                                                                 "project_name": name})
    assert created.status_code == 201, created.text
    plan_id = created.json()["id"]
    plan_no = gps.get(stack.url("gps") + f"/api/v1/plan/{plan_id}").json()["result"]["plan_no"]
    # 备案 is the list's action in the UI, taken as jingban would.
    filed = stack.browser("gps", "jingban").post(
        "/plans/action_post", {"action": "file_plans", "rowid": str(plan_id)})
    assert "已备案" in filed.text
    return plan_id, plan_no


def received(stack, key, plan_no):
    rows = stack.query(key, f"select version, project_name, status from plan_replica "
                            f"where plan_no = '{plan_no}'")
    return rows[0] if rows else None


def applied_count(stack, key, plan_no):
    return stack.query(key, f"select count(*) from inbox_message where entity_key = "
                            f"'plan:{plan_no}' and result = '已应用'")[0][0]


def outbox_state(stack, plan_no):
    rows = stack.query("gps", "select state, attempts, next_attempt_at, locked_until, last_error "
                              f"from outbox_message where entity_key = 'plan:{plan_no}'")
    return f"GPS outbox rows (state, attempts, next try, lease, error): {rows}"


def push_state(stack, plan_id):
    return stack.query("gps", f"select push_state from plan where id = {plan_id}")[0][0]


def test_filed_plan_reaches_only_its_platform_then_updates_and_withdrawal(stack):
    plan_id, plan_no = file_plan(stack)
    wait_for(lambda: received(stack, "pds", plan_no), 20, what="plan on 平顶山市")
    assert received(stack, "pds", plan_no) == [1, "端到端推送项目", "有效"]
    wait_for(lambda: push_state(stack, plan_id) == "已推送", 10, what="已推送 on GPS")
    # 平顶山市's 中心业务科室 sees it in its 已接收计划 list, over HTTP.
    keshi = stack.api("pds", "keshi")
    listed = keshi.get(stack.url("pds") + "/api/v1/received_plan/?q=(page_size:100)").json()
    assert plan_no in {r["plan_no"] for r in listed["result"]}
    assert received(stack, "fc", plan_no) is None

    gps = stack.api("gps", "jingban")
    changed = gps.put(stack.url("gps") + f"/api/v1/plan/{plan_id}",
                      json={**PLAN, "project_name": "端到端推送项目（修改）"})
    assert changed.status_code == 200, changed.text
    wait_for(lambda: (received(stack, "pds", plan_no) or [0])[0] == 2, 20, what="update")
    assert received(stack, "pds", plan_no)[1] == "端到端推送项目（修改）"

    withdrawn = stack.browser("gps", "jingban").post(f"/plans/withdraw/{plan_id}",
                                                     {"reason": "需求取消"})
    assert "已撤回" in withdrawn.text
    wait_for(lambda: received(stack, "pds", plan_no)[2] == "已撤回", 20, what="withdrawal")
    assert received(stack, "fc", plan_no) is None


def test_peer_down_then_up_delivers_everything_once(stack):
    stack.stop("web-pds")
    filed = [file_plan(stack, f"停机期间项目{i}") for i in range(3)]
    wait_for(lambda: all(push_state(stack, pid) == "推送失败" for pid, _ in filed), 30,
             what="推送失败 while the peer is down")
    # Read by key, not by state: a retry may hold a message (推送中) right now.
    keys = ", ".join(f"'plan:{plan_no}'" for _pid, plan_no in filed)
    errors = stack.query("gps", "select attempts, last_error from outbox_message "
                                f"where entity_key in ({keys})")
    assert len(errors) == 3 and all(a >= 1 and e for a, e in errors)
    time.sleep(3)
    stack.start_site("pds")
    # Backoff may have pushed the next try out; the sweeper picks it up when due.
    for pid, plan_no in filed:
        wait_for(lambda: received(stack, "pds", plan_no), 60, what=f"{plan_no} after restart")
        wait_for(lambda: push_state(stack, pid) == "已推送", 30, what="已推送")
        assert applied_count(stack, "pds", plan_no) == 1


def test_redis_flushed_with_messages_pending(stack, redis_url):
    stack.stop("worker-gps")
    stack.stop("cron-gps")
    plan_id, plan_no = file_plan(stack, "清空Redis项目")
    redis.Redis.from_url(redis_url).flushall()
    time.sleep(1)
    assert received(stack, "pds", plan_no) is None
    stack.restart_sync("gps")  # the sweeper finds the row in the database
    # Two fresh processes (the worker supervisor starts three more) must come
    # up before the first sweep: on a busy CI machine that alone has taken
    # most of half a minute, so allow a minute and a half and say why if not.
    wait_for(lambda: received(stack, "pds", plan_no), 90,
             what=lambda: f"delivery after FLUSHALL; {outbox_state(stack, plan_no)}; "
                          f"{stack.log_tails('worker-gps', 'cron-gps')}")
    assert applied_count(stack, "pds", plan_no) == 1


def test_worker_killed_mid_delivery(stack):
    """SIGKILL while the request is in flight: redelivered after the lease, applied once."""
    stack.stop("cron-gps")
    # Slow the receiver: a lock on its inbox table would be intrusive, so the
    # worker is killed as soon as it has claimed the message instead.
    plan_id, plan_no = file_plan(stack, "中途被杀项目")
    wait_for(lambda: stack.query("gps", f"select state from outbox_message where entity_key = "
                                        f"'plan:{plan_no}'")[0][0] in ("推送中", "已推送"),
             60, interval=0.01,
             what=lambda: f"claim; {outbox_state(stack, plan_no)}; {stack.log_tails('worker-gps')}")
    stack.stop("worker-gps", sig=signal.SIGKILL)
    stack.restart_sync("gps")  # then the lease (4 s) and one sweep
    wait_for(lambda: push_state(stack, plan_id) == "已推送", 40, what="redelivery")
    assert applied_count(stack, "pds", plan_no) == 1


def test_reconcile_from_the_change_feed_after_an_outage(stack):
    """GPS's workers are down for good; 平顶山市 pulls what it missed."""
    stack.stop("worker-gps")
    stack.stop("cron-gps")
    plan_id, plan_no = file_plan(stack, "对账补录项目")
    applied = []

    def reconciled():
        # The feed serves rows once they have settled (5 s); on a busy machine
        # a first pull may come before that, and pulling again is harmless.
        out = stack.command("pds", "sync", "reconcile", "--peer", "gps")
        assert "applied=" in out, out
        applied.append(int(out.split("applied=")[1].split()[0]))
        return received(stack, "pds", plan_no) == [1, "对账补录项目", "有效"]

    time.sleep(5)
    wait_for(reconciled, 90, interval=2, what=lambda: f"the reconciled plan (applied {applied})")
    assert sum(applied) >= 1
    again = stack.command("pds", "sync", "reconcile", "--peer", "gps")
    assert "applied=0" in again  # nothing is applied twice
    stack.restart_sync("gps")
    wait_for(lambda: push_state(stack, plan_id) == "已推送", 60,
             what=lambda: f"late push acknowledged; {outbox_state(stack, plan_no)}; "
                          f"{stack.log_tails('worker-gps', 'cron-gps')}")
    assert applied_count(stack, "pds", plan_no) == 1
    assert received(stack, "fc", plan_no) is None
