"""Many users at once (#17 item 5), as bench/load/run.py starts them:

- 公共资源交易网 readers and searchers (most users): the home page, columns,
  deep pages, notices, 标题 and 项目编号 searches, on the trading site;
- 经办岗 (jingban) filing plans on GPS: REST create, then 【备案】 as the list's
  action, then the 采购计划 list;
- 单位内部审核岗 (shenhe) in 【待办任务】: pages and a search;
- 监管处 (jianguan, 平顶山市) in 【项目监督】: filters, the 预警 filter, a deep page.

Each signed-in user logs in once through the login form, as a person does.
Hosts from LOAD_GPS_URL and LOAD_TRADING_URL. Requests are named by what a
user does (the report groups by name), in the manuals' words. Users are
FastHttpUser (geventhttpclient), not HttpUser (requests): locust shares the
machine under test, and requests' client costs several times the CPU per
request, taken from the sites being measured.
"""
import datetime as dt
import itertools
import os
import random
import re
from urllib.parse import quote

from locust import FastHttpUser, between, task

GPS = os.environ.get("LOAD_GPS_URL", "http://127.0.0.1:5000")
TRADING = os.environ.get("LOAD_TRADING_URL", "http://127.0.0.1:5001")
PASSWORD = "DemoPass@2026"
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
COLUMNS = ("caigou", "biangeng", "jieguo", "jieguo-gengzheng", "zhongzhi", "hetong")
WORDS = ("教育", "教育局", "医院", "监控", "计算机", "平顶山", "服务", "维修", "家具", "设备采购")
DEEP_PAGE = int(os.environ.get("LOAD_DEEP_PAGE", "200"))
NOTICE_IDS = int(os.environ.get("LOAD_NOTICES", "100000"))
_serial = itertools.count(1)


class Reader(FastHttpUser):
    """A supplier reading the trading website."""
    host = TRADING
    weight = 30
    wait_time = between(1, 3)

    @task(3)
    def home(self):
        self.client.get("/web/", name="网站首页")

    @task(3)
    def column(self):
        self.client.get(f"/web/{random.choice(COLUMNS)}/", name="栏目 第1页")

    @task(1)
    def deep(self):
        self.client.get(f"/web/caigou/?page={random.randint(2, DEEP_PAGE)}", name="栏目 翻页")

    @task(2)
    def notice(self):
        # An id that may be hidden or absent answers the site's 404 page: a
        # reader following an old link. Counted as a success when it is that.
        with self.client.get(f"/web/notices/{random.randint(1, NOTICE_IDS)}",
                             name="公告详情", catch_response=True) as answer:
            if answer.status_code in (200, 404):
                answer.success()

    @task(2)
    def search_title(self):
        self.client.get(f"/web/caigou/?title={quote(random.choice(WORDS))}", name="标题搜索")

    @task(1)
    def search_code(self):
        self.client.get(f"/web/caigou/?code=-2025-{random.randint(0, 99):02d}",
                        name="项目编号搜索")


class SignedIn(FastHttpUser):
    abstract = True
    host = GPS
    username = ""
    wait_time = between(2, 5)

    def on_start(self):
        page = self.client.get("/login/", name="登录页")
        token = TOKEN.search(page.text)
        with self.client.post("/login/", name="登录", allow_redirects=False, catch_response=True,
                              data={"username": self.username, "password": PASSWORD,
                                    "csrf_token": token.group(1) if token else ""}) as answer:
            if answer.status_code != 302:
                answer.failure(f"{self.username} 登录失败：{answer.status_code}")

    def csrf(self) -> str:
        found = TOKEN.search(self.client.get("/resetmypassword/form", name="（取表单令牌）").text)
        return found.group(1) if found else ""


class Handler(SignedIn):
    """经办岗: files plans and looks at the list."""
    username = "jingban"
    weight = 4

    def on_start(self):
        super().on_start()
        token = self.client.post("/api/v1/security/login", name="REST 登录", json={
            "username": self.username, "password": PASSWORD, "provider": "db"})
        self.jwt = {"Authorization": "Bearer " + token.json().get("access_token", "")} \
            if token.ok else {}

    @task(1)
    def file_plan(self):
        n = next(_serial)
        created = self.client.post("/api/v1/plan/", name="新增采购计划（REST）", headers=self.jwt,
                                   json={"project_name": f"压力测试采购项目{os.getpid()}-{n}",
                                         "procurement_method": "公开招标", "category": "货物",
                                         "item_name": "台式计算机", "budget": "1500000.00",
                                         "fund_source": "财政性资金",
                                         "expected_date": (dt.date.today()
                                                           + dt.timedelta(days=60)).isoformat(),
                                         "platform": "410400", "interconnected": True})
        if created.status_code != 201:
            return
        with self.client.post("/plans/action_post", name="备案", catch_response=True, data={
                "action": "file_plans", "rowid": str(created.json()["id"]),
                "csrf_token": self.csrf()}) as answer:
            if "已备案" not in answer.text:
                answer.failure("备案后页面未显示“已备案”")

    @task(3)
    def plan_list(self):
        self.client.get("/plans/list/", name="采购计划 列表")


class Reviewer(SignedIn):
    """单位内部审核岗 in 【待办任务】."""
    username = "shenhe"
    weight = 3

    @task(3)
    def todo(self):
        self.client.get("/todo/", name="待办任务 第1页")

    @task(1)
    def todo_page(self):
        self.client.get(f"/todo/?page={random.randint(2, 50)}", name="待办任务 翻页")

    @task(1)
    def todo_search(self):
        self.client.get(f"/todo/?q=BGBA-L{random.randint(0, 99):04d}", name="待办任务 搜索")


class Regulator(SignedIn):
    """监管处 of 平顶山市 in 【项目监督】."""
    username = "jianguan"
    weight = 3

    @task(3)
    def supervision(self):
        self.client.get("/supervision/", name="项目监督 第1页")

    @task(2)
    def flag(self):
        self.client.get(f"/supervision/?flag=YJ{random.randint(1, 14):02d}", name="项目监督 预警筛选")

    @task(2)
    def filtered(self):
        self.client.get("/supervision/?stage=" + quote("开标") + "&sort=budget&order=desc",
                        name="项目监督 筛选+排序")

    @task(1)
    def deep(self):
        self.client.get(f"/supervision/?page={random.randint(100, 3000)}", name="项目监督 翻页")
