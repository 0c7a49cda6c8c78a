// The CEO's page: monthly revenue and its growth, NPS and its trend, the large deals in
// the pipeline, opportunities and leads created per month. Each section says its as-of.
"use strict";

(() => {
  const { el, section, table, bars, kpis, fmtMoney, fmtNumber, fmtPct, trendClass, start } = C360;
  const params = () => {
    const search = new URLSearchParams(location.search);
    const values = { months: search.get("months") || "12" };
    if (search.get("minAmount")) values.minAmount = search.get("minAmount");
    return values;
  };

  function render(data) {
    const view = data.ceoView;
    if (!view) return;
    section("revenue", "Revenue", view.revenue, (figure) => el("div", {},
      kpis([
        { label: "net over the window", value: fmtMoney(figure.netTotal) },
        { label: "last full month vs the one before", value: fmtPct(figure.growthPct), tone: trendClass(figure.growthPct) },
      ]),
      bars(figure.months.map((m) => m.month), [{ name: "net", color: "#1e9e5a", values: figure.months.map((m) => m.net) }], { label: "Net revenue per month", format: fmtMoney }),
      table([
        { title: "Month", value: (m) => m.month + (m.partial ? " (so far)" : "") },
        { title: "Orders", num: true, value: (m) => fmtNumber(m.orders) },
        { title: "Net", num: true, value: (m) => fmtMoney(m.net) },
        { title: "Growth", num: true, value: (m) => fmtPct(m.growthPct), tone: (m) => trendClass(m.growthPct) },
      ], figure.months.slice(-4))), true);
    section("nps", "Net Promoter Score", view.nps, (figure) => el("div", {},
      kpis([
        { label: "NPS over the window", value: fmtNumber(figure.score) },
        { label: "last 3 months vs the 3 before (points)", value: fmtPct(figure.trend).replace(" %", ""), tone: trendClass(figure.trend) },
      ]),
      bars(figure.months.map((m) => m.month), [
        { name: "promoters", color: "#1e9e5a", values: figure.months.map((m) => m.promoters) },
        { name: "passives", color: "#8a94a6", values: figure.months.map((m) => m.passives) },
        { name: "detractors", color: "#d2333f", values: figure.months.map((m) => m.detractors) },
      ], { label: "Survey answers per month", height: 160 })));
    section("created", "Created per month", view.created, (figure) => bars(
      figure.months.map((m) => m.month),
      [
        { name: "opportunities", color: "#2f6fde", values: figure.months.map((m) => m.opportunities) },
        { name: "leads", color: "#e0a800", values: figure.months.map((m) => m.leads) },
      ],
      { label: "Opportunities and leads created per month", height: 160 }));
    section("deals", "Large deals in the pipeline", view.largeDeals, (figure) => el("div", {},
      el("p", { class: "as-of", text: `Open deals of ${fmtMoney(figure.threshold)} or more, largest first.` }),
      table([
        { title: "Deal", value: (d) => d.name || d.id },
        { title: "Stage", value: (d) => d.stage },
        { title: "Owner", value: (d) => d.owner || "" },
        { title: "Close", value: (d) => d.closeDate || "" },
        { title: "Days in stage", num: true, value: (d) => fmtNumber(d.daysInStage) },
        { title: "Amount", num: true, value: (d) => fmtMoney(d.amount) },
      ], figure.deals)), true);
  }

  start(render, params);
})();
