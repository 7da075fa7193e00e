/* FAB's chart pages (【用户统计】) drawn with the vendored Apache ECharts
 * instead of Google Charts, which FAB loads from Google's servers. Reads
 * <script type="application/json" id="fab-chart-data">: {title, table, locale},
 * table being FAB's Google DataTable JSON ({cols: [{label}], rows: [{c: [{v}]}]}):
 * the first column the bars' names, each further column a series.
 */
(function () {
  "use strict";

  var block = document.getElementById("fab-chart-data");
  var el = document.getElementById("fab-chart");
  if (!block || !el || typeof echarts === "undefined") {
    return;
  }
  var data = JSON.parse(block.textContent);
  var cols = data.table.cols || [];
  var rows = data.table.rows || [];
  var english = String(data.locale).indexOf("en") === 0;
  var names = rows.map(function (row) { return String(row.c[0].v); });
  var series = cols.slice(1).map(function (col, i) {
    return {
      name: col.label,
      type: "bar",
      data: rows.map(function (row) { return row.c[i + 1] ? row.c[i + 1].v : 0; })
    };
  });
  var chart = echarts.init(el, null, {locale: english ? "EN" : "ZH", renderer: "canvas"});
  chart.setOption({
    // The legend below the title, not on it: a browser walk saw them drawn
    // over each other (the title's own height was not left for).
    title: {text: data.title, left: "center", top: 0, textStyle: {fontSize: 16}},
    tooltip: {trigger: "axis"},
    legend: {top: 36},
    grid: {top: 80, left: 48, right: 24, bottom: 64, containLabel: true},
    xAxis: {type: "category", data: names, axisLabel: {interval: 0, rotate: names.length > 8 ? 30 : 0}},
    yAxis: {type: "value", minInterval: 1},
    series: series
  });
  window.addEventListener("resize", function () { chart.resize(); });
  window.fabChart = chart;  // for tests and the curious
}());
