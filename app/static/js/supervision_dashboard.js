/* 【监督看板】: draws the charts of app/templates/supervision/dashboard.html
 * with the vendored Apache ECharts, from the page's JSON block
 * (<script type="application/json" id="dashboard-data">, made by
 * app/views/gps/supervision_dashboard.py; the same object as
 * /supervision/dashboard/data).
 *
 * Every data point carries `link`: 【项目监督】 with the list's parameters;
 * a click on a bar or segment goes there. Texts come from the server in the
 * user's language (data.labels); ECharts' own texts follow data.locale.
 * No inline script: the Content-Security-Policy forbids it.
 */
(function () {
  "use strict";

  var block = document.getElementById("dashboard-data");
  if (!block || typeof echarts === "undefined") {
    return;
  }
  var data = JSON.parse(block.textContent);
  var labels = data.labels;
  var english = String(data.locale).indexOf("en") === 0;
  var amountFormat = new Intl.NumberFormat(english ? "en" : "zh-CN",
    {minimumFractionDigits: 2, maximumFractionDigits: 2});
  var countFormat = new Intl.NumberFormat(english ? "en" : "zh-CN");
  var charts = {};
  // For tests and the curious: the chart instances by name.
  window.supervisionCharts = charts;

  function wan(value) {
    return amountFormat.format(value) + " " + labels.wan;
  }

  function axisWan(value) {
    // 12,345 on the axis; the unit is in the chart's heading.
    return countFormat.format(value);
  }

  function draw(id, name, option, hasData) {
    var el = document.getElementById(id);
    if (!el) {
      return;
    }
    if (!hasData) {
      el.className += " dashboard-chart-empty";
      el.style.height = "auto";
      var p = document.createElement("p");
      p.className = "text-muted text-center";
      p.textContent = labels.empty;
      el.appendChild(p);
      return;
    }
    var chart = echarts.init(el, null, {locale: english ? "EN" : "ZH", renderer: "canvas"});
    option.animationDuration = 300;
    chart.setOption(option);
    chart.on("click", function (params) {
      var link = params.data && params.data.link;
      if (link) {
        window.location.href = link;
      }
    });
    charts[name] = chart;
  }

  function any(values) {
    return values.some(function (v) { return v > 0; });
  }

  function seriesHasData(series) {
    return series.some(function (s) {
      return any(s.data.map(function (p) { return p.value; }));
    });
  }

  var legend = {type: "scroll", top: 0};
  // The 预警 names are long: all of them on as many lines as they need.
  var wideLegend = {top: 0, left: 0, right: 0};
  var grid = {left: 60, right: 20, top: 40, bottom: 60};

  // Projects by stage: one bar per stage, the count on it.
  draw("chart-stages", "stages", {
    tooltip: {trigger: "item", formatter: function (p) {
      return echarts.format.encodeHTML(p.name) + "<br>" + labels.projects + "：" + countFormat.format(p.value)
        + "<br>" + labels.budget + "：" + wan(p.data.budget_wan)
        + "<br><small>" + labels.open_list + "</small>";
    }},
    grid: grid,
    xAxis: {type: "category", data: data.stages.map(function (s) { return s.name; }),
            axisLabel: {interval: 0, rotate: 30}},
    yAxis: {type: "value", name: labels.projects, minInterval: 1},
    series: [{type: "bar", name: labels.projects, label: {show: true, position: "top"},
              data: data.stages.map(function (s) {
                return {value: s.count, budget_wan: s.budget_wan, link: s.link};
              })}]
  }, any(data.stages.map(function (s) { return s.count; })));

  // Amounts by 采购方式: 预算, 中标（成交）, 合同, side by side.
  function methodSeries(name, key) {
    return {type: "bar", name: name, data: data.methods.map(function (m) {
      return {value: m[key], link: m.link};
    })};
  }
  draw("chart-methods", "methods", {
    tooltip: {trigger: "axis", valueFormatter: wan},
    legend: legend,
    grid: grid,
    xAxis: {type: "category", data: data.methods.map(function (m) { return m.name; }),
            axisLabel: {interval: 0, rotate: 20}},
    yAxis: {type: "value", axisLabel: {formatter: axisWan}},
    series: [methodSeries(labels.budget, "budget_wan"), methodSeries(labels.award, "award_wan"),
             methodSeries(labels.contract, "contract_wan")]
  }, data.methods.length > 0);

  // 预算 by month, one stack per 采购方式.
  draw("chart-months", "months", {
    tooltip: {trigger: "axis", valueFormatter: wan},
    legend: legend,
    grid: grid,
    xAxis: {type: "category", data: data.months.months},
    yAxis: {type: "value", axisLabel: {formatter: axisWan}},
    series: data.months.series.map(function (s) {
      return {type: "bar", stack: "budget", name: s.name, data: s.data};
    })
  }, seriesHasData(data.months.series));

  // 预警: projects flagged, by region (stacked by flag).
  draw("chart-flags", "flags", {
    tooltip: {trigger: "axis", axisPointer: {type: "shadow"}},
    legend: wideLegend,
    grid: {left: 60, right: 20, top: 90, bottom: 60},
    xAxis: {type: "category", data: data.flags.regions.map(function (r) { return r.name; }),
            axisLabel: {interval: 0, rotate: 20}},
    yAxis: {type: "value", name: labels.projects, minInterval: 1},
    series: data.flags.series.map(function (s) {
      return {type: "bar", stack: "flags", name: s.name, data: s.data};
    })
  }, seriesHasData(data.flags.series));

  // Late 结果公告 and contracts by month (YJ03–YJ06).
  draw("chart-late", "late", {
    tooltip: {trigger: "axis", axisPointer: {type: "shadow"}},
    legend: wideLegend,
    grid: {left: 60, right: 20, top: 90, bottom: 60},
    xAxis: {type: "category", data: data.late.months},
    yAxis: {type: "value", name: labels.projects, minInterval: 1},
    series: data.late.series.map(function (s) {
      return {type: "bar", stack: "late", name: s.name, data: s.data};
    })
  }, seriesHasData(data.late.series));

  window.addEventListener("resize", function () {
    Object.keys(charts).forEach(function (name) { charts[name].resize(); });
  });
}());
