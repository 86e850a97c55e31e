// 协商议事 figures as a chart (ECharts, vendored): topics, resolutions and meetings per council area. The table below
// the chart carries the same numbers for screen readers and for copying.
(function () {
  "use strict";
  function draw() {
    const holder = document.getElementById("deliberation-chart");
    const source = document.getElementById("deliberation-data");
    if (!holder || !source || !window.echarts) return;
    const data = JSON.parse(source.textContent);
    if (!data.areas.length) { holder.hidden = true; return; }
    const old = window.echarts.getInstanceByDom(holder);
    if (old) old.dispose();
    const chart = window.echarts.init(holder, null, { renderer: "svg" });
    const labels = JSON.parse(holder.dataset.labels || "[]");
    chart.setOption({
      animation: false,
      color: ["#0b4fae", "#17663a", "#9e6a00"],
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 40, right: 16, top: 36, bottom: 80 },
      xAxis: { type: "category", data: data.areas, axisLabel: { rotate: 40, interval: 0, fontSize: 11 } },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: labels[0], type: "bar", data: data.topics },
        { name: labels[1], type: "bar", data: data.resolved },
        { name: labels[2], type: "bar", data: data.meetings },
      ],
    });
    window.addEventListener("resize", () => chart.resize());
  }
  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSettle", draw);
})();
