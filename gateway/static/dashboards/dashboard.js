// Customer 360 dashboards: what every role's page shares. No framework, no build step:
// fetch the role's saved view, draw it with DOM calls (never innerHTML with data),
// show an error banner for every error in the answer, refresh on an interval.
"use strict";

const C360 = (() => {
  const view = document.body.dataset.view;
  // ?refresh=<seconds> overrides the page's interval (a wall screen may want it slower).
  const asked = Number(new URLSearchParams(location.search).get("refresh"));
  const refreshSeconds = Math.max(2, asked || Number(document.body.dataset.refresh) || 30);

  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "text") node.textContent = String(value);
      else if (key === "class") node.className = value;
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child !== null && child !== undefined) node.append(child);
    }
    return node;
  }

  function svg(tag, attrs, ...children) {
    const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
    for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, String(value));
    for (const child of children.flat()) if (child) node.append(child);
    return node;
  }

  const money = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", maximumFractionDigits: 0 });
  const number = new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 });

  function fmtMoney(value) { return value === null || value === undefined ? "–" : money.format(value); }
  function fmtNumber(value) { return value === null || value === undefined ? "–" : number.format(value); }
  function fmtPct(value) {
    if (value === null || value === undefined) return "–";
    return (value > 0 ? "+" : "") + number.format(value) + " %";
  }
  function trendClass(value) { return value > 0 ? "up" : value < 0 ? "down" : ""; }

  function asOf(iso) {
    if (!iso) return "";
    const when = new Date(iso);
    return "as of " + when.toISOString().replace("T", " ").slice(0, 16) + " UTC";
  }

  // A section's frame: title, its as-of time, and the content (or why there is none).
  function section(id, title, figure, draw, wide) {
    const target = document.getElementById(id);
    if (!target) return;
    const heading = el("h2", {}, el("span", { text: title }), el("span", { class: "as-of", text: figure ? asOf(figure.asOf) : "" }));
    let body;
    if (figure === null || figure === undefined) body = el("p", { class: "empty", text: "Not available right now (see the banner above)." });
    else body = draw(figure);
    target.replaceChildren(heading, body);
    if (wide) target.classList.add("wide");
  }

  function table(columns, rows) {
    const head = el("tr", {}, columns.map((c) => el("th", { class: c.num ? "num" : null, text: c.title })));
    const body = rows.map((row) => el("tr", {}, columns.map((c) => {
      const value = c.value(row);
      const cell = el("td", { class: [c.num ? "num" : "", c.tone ? c.tone(row) : ""].join(" ").trim() || null });
      if (value instanceof Node) cell.append(value); else cell.textContent = value;
      return cell;
    })));
    if (!rows.length) return el("p", { class: "empty", text: "Nothing to show." });
    return el("table", {}, el("thead", {}, head), el("tbody", {}, body));
  }

  // Vertical bars, one per label; `series` stack in the given order.
  function bars(labels, series, options) {
    const width = 640, height = (options && options.height) || 200, left = 56, bottom = 22, top = 8;
    const totals = labels.map((_, i) => series.reduce((sum, s) => sum + Math.max(0, s.values[i] || 0), 0));
    const most = Math.max(1, ...totals);
    const step = (width - left) / Math.max(1, labels.length);
    const chart = svg("svg", { class: "chart", viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": (options && options.label) || "" });
    const format = (options && options.format) || fmtNumber;
    for (const tick of [0, 0.5, 1]) {
      const y = top + (height - top - bottom) * (1 - tick);
      chart.append(svg("line", { x1: left, x2: width, y1: y, y2: y, stroke: "#dde2ea" }));
      const label = svg("text", { x: left - 4, y: y + 3, "text-anchor": "end" });
      label.textContent = format(most * tick);
      chart.append(label);
    }
    labels.forEach((name, i) => {
      let y = height - bottom;
      for (const s of series) {
        const value = Math.max(0, s.values[i] || 0);
        const h = (height - top - bottom) * (value / most);
        y -= h;
        const rect = svg("rect", { x: left + i * step + step * 0.15, y, width: step * 0.7, height: h, fill: s.color, rx: 2 });
        const tip = svg("title");
        tip.textContent = `${name} · ${s.name}: ${format(value)}`;
        rect.append(tip);
        chart.append(rect);
      }
      const label = svg("text", { x: left + i * step + step / 2, y: height - 6, "text-anchor": "middle" });
      label.textContent = name.length === 7 ? name.slice(2) : name;
      chart.append(label);
    });
    const legend = series.length > 1 ? el("div", { class: "legend" }, series.map((s) => {
      const swatch = el("i");
      swatch.style.background = s.color;
      return el("span", {}, swatch, s.name);
    })) : null;
    return el("div", {}, chart, legend);
  }

  function kpis(items) {
    return el("div", { class: "kpis" }, items.map((k) => el("div", { class: "kpi" }, el("b", { class: k.tone || null, text: k.value }), el("span", { text: k.label }))));
  }

  function showErrors(messages) {
    const banner = document.getElementById("errors");
    if (!messages.length) {
      banner.hidden = true;
      banner.replaceChildren();
      return;
    }
    banner.replaceChildren(
      el("strong", { text: "Some figures could not be loaded:" }),
      el("ul", {}, messages.map((m) => el("li", { text: m }))),
    );
    banner.hidden = false;
  }

  function describe(error) {
    const ext = error.extensions || {};
    const where = error.path ? ` (at ${error.path.join(".")})` : "";
    const code = ext.code ? `${ext.code}: ` : "";
    return `${code}${error.message}${where}`;
  }

  // Fetch /views/<view>?<params>, hand the data to `render`, banner the errors.
  function start(render, params) {
    let timer = null;
    async function load() {
      const status = document.getElementById("status");
      const values = params ? params() : {};
      if (values === null) return; // nothing asked yet (the agent's page before a phone)
      const query = new URLSearchParams(values);
      try {
        const response = await fetch(`/views/${view}?${query}`, { headers: { accept: "application/json" } });
        const answer = await response.json();
        showErrors((answer.errors || []).map(describe));
        if (answer.data) render(answer.data);
        status.textContent = "updated " + new Date().toISOString().slice(11, 19) + " UTC";
        document.body.dataset.loaded = String(Number(document.body.dataset.loaded || 0) + 1);
      } catch (problem) {
        showErrors([`The gateway did not answer: ${problem}`]);
        status.textContent = "offline";
      }
    }
    function restart() {
      if (timer !== null) clearInterval(timer);
      load();
      timer = setInterval(load, refreshSeconds * 1000);
    }
    restart();
    return restart;
  }

  return { el, svg, bars, table, kpis, section, start, fmtMoney, fmtNumber, fmtPct, trendClass, asOf };
})();
