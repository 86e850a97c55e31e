// The three rates as a chart (ECharts, vendored): bars per group, or lines per day or month. The table below the chart
// carries the same numbers for screen readers and for copying.
(function () {
  "use strict";
  function draw() {
    const holder = document.getElementById("rates-chart");
    const source = document.getElementById("rates-data");
    if (!holder || !source || !window.echarts) return;
    const data = JSON.parse(source.textContent);
    if (!data.rows.length) { holder.hidden = true; return; }
    const pct = (v) => (v === null ? null : Math.round(v * 1000) / 10);
    const line = data.group_by === "day" || data.group_by === "month";
    const series = data.series.map((s) => ({
      name: s.label, type: line ? "line" : "bar", connectNulls: true,
      data: data.rows.map((r) => pct(r[s.key])),
    }));
    const old = window.echarts.getInstanceByDom(holder);
    if (old) old.dispose();
    const chart = window.echarts.init(holder, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      color: ["#0b4fae", "#17663a", "#9e1c23"],
      tooltip: { trigger: "axis", valueFormatter: (v) => (v === null || v === undefined ? "—" : v + "%") },
      legend: { top: 0 },
      grid: { left: 40, right: 16, top: 36, bottom: line ? 40 : 80 },
      xAxis: { type: "category", data: data.rows.map((r) => r.label),
               axisLabel: { rotate: line ? 0 : 40, interval: 0, fontSize: 11 } },
      yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
      series: series,
    });
    window.addEventListener("resize", () => chart.resize());
  }
  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSettle", draw);
})();
