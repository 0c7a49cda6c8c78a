// The CMO's page: leads by channel and month, campaign performance, the pipeline by stage
// with ageing, net revenue, segments. Every section says how old its figures are.
"use strict";

(() => {
  const { el, section, table, bars, kpis, fmtMoney, fmtNumber, fmtPct, trendClass, start } = C360;
  const COLORS = ["#2f6fde", "#1e9e5a", "#e0a800", "#d2333f", "#7b4fd6", "#10a3b5", "#8a94a6", "#c25e9f"];
  const months = () => ({ months: new URLSearchParams(location.search).get("months") || "12" });

  function render(data) {
    const view = data.cmoView;
    if (!view) return;
    section("leads", "Leads by channel and month", view.leadGeneration, (figure) => {
      const channels = [...new Set(figure.rows.map((r) => r.channel))].sort();
      const series = channels.map((channel, i) => ({
        name: channel.replace("_", " "),
        color: COLORS[i % COLORS.length],
        values: view.months.map((m) => figure.rows.filter((r) => r.month === m && r.channel === channel).reduce((s, r) => s + r.leads, 0)),
      }));
      const total = figure.rows.reduce((s, r) => s + r.leads, 0);
      const converted = figure.rows.reduce((s, r) => s + (r.converted || 0), 0);
      return el("div", {},
        kpis([{ label: "leads", value: fmtNumber(total) }, { label: "converted", value: fmtNumber(converted) }]),
        bars(view.months, series, { label: "Leads per month by channel" }));
    }, true);
    section("campaigns", "Campaign performance", view.campaignPerformance, (figure) => table([
      { title: "Campaign", value: (c) => c.name || c.id },
      { title: "Channel", value: (c) => c.channel.replace("_", " ") },
      { title: "Cost", num: true, value: (c) => fmtMoney(c.cost) },
      { title: "Leads", num: true, value: (c) => fmtNumber(c.leads) },
      { title: "Conversions", num: true, value: (c) => fmtNumber(c.conversions) },
      { title: "Revenue attributed", num: true, value: (c) => fmtMoney(c.revenueAttributed) },
      { title: "Cost per acquisition", num: true, value: (c) => fmtMoney(c.costPerAcquisition) },
      { title: "Return on spend", num: true, value: (c) => (c.returnOnSpend === null ? "–" : fmtNumber(c.returnOnSpend) + "×") },
    ], figure.campaigns), true);
    section("pipeline", "Pipeline by stage", view.pipelineHealth, (figure) => el("div", {},
      bars(figure.stages.map((s) => s.stage), [{ name: "amount", color: "#2f6fde", values: figure.stages.map((s) => s.amount) }], { label: "Open pipeline by stage", format: fmtMoney, height: 160 }),
      table([
        { title: "Stage", value: (s) => s.stage },
        { title: "Deals", num: true, value: (s) => fmtNumber(s.opportunities) },
        { title: "Amount", num: true, value: (s) => fmtMoney(s.amount) },
        { title: "Avg days in stage", num: true, value: (s) => fmtNumber(s.averageDaysInStage) },
        { title: "Oldest (days)", num: true, value: (s) => fmtNumber(s.maxDaysInStage) },
      ], figure.stages)));
    section("revenue", "Net revenue", view.netRevenue, (figure) => el("div", {},
      kpis([
        { label: "net over the window", value: fmtMoney(figure.netTotal) },
        { label: "last full month vs the one before", value: fmtPct(figure.growthPct), tone: trendClass(figure.growthPct) },
      ]),
      bars(figure.months.map((m) => m.month), [{ name: "net", color: "#1e9e5a", values: figure.months.map((m) => m.net) }], { label: "Net revenue per month", format: fmtMoney, height: 160 })));
    if ("segments" in view) {
      section("segments", "Segments", view.segments, (figure) => el("div", {},
        table([
          { title: "Segment", value: (s) => s.segment },
          { title: "Customers", num: true, value: (s) => fmtNumber(s.customers) },
          { title: "Share", num: true, value: (s) => (s.share === null ? "–" : fmtNumber(100 * s.share) + " %") },
        ], figure.sizes),
        figure.movements && figure.movements.length ? el("h3", { text: "Moved since the comparison date" }) : null,
        figure.movements && figure.movements.length ? table([
          { title: "From", value: (m) => m.fromSegment },
          { title: "To", value: (m) => m.toSegment },
          { title: "Customers", num: true, value: (m) => fmtNumber(m.customers) },
        ], figure.movements) : null));
    } else {
      document.getElementById("segments").hidden = true;
    }
  }

  start(render, months);
})();
