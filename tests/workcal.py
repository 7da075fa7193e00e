"""The working-day calendar a freshly migrated site holds: the years seeded
from chinese-calendar as 正式, every later year 暂定 (the law's holidays).
Tests that compute dates the way the site will use these."""
from app.rules.calendar_seed import calendar

CAL = calendar()
add_workdays = CAL.add_workdays
workdays_between = CAL.workdays_between
is_workday = CAL.is_workday
