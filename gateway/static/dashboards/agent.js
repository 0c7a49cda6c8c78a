// The agent's page: the caller found from their phone number, the light and its reasons,
// what is open right now. The phone comes from the form or the page's ?phone=.
"use strict";

(() => {
  const { el, section, table, fmtMoney, start } = C360;
  const input = document.getElementById("phone");
  const SECTIONS = ["offer", "tickets", "invoices", "orders", "activity", "mentions"];
  input.value = new URLSearchParams(location.search).get("phone") || "";

  function render(data) {
    const view = data.agentView;
    const caller = document.getElementById("caller");
    if (!view) {
      caller.replaceChildren(el("p", { class: "empty", text: `No customer has the phone number ${input.value}.` }));
      for (const id of SECTIONS) document.getElementById(id).replaceChildren();
      return;
    }
    const c = view.customer || {};
    const health = view.health;
    const light = el("div", { class: `light ${health ? health.light : ""}`, "data-light": health ? health.light : "UNKNOWN", title: health ? health.light : "unknown" });
    const where = c.address ? [c.address.city, c.address.state].filter(Boolean).join(", ") : "";
    const weather = c.weather ? ` · ${c.weather.temperatureC} °C, ${c.weather.description}` : "";
    const reasons = health && health.reasons.length
      ? el("ul", { class: "reasons" }, health.reasons.map((r) => el("li", { class: r.light || null, text: r.message })))
      : el("p", { class: "empty", text: health ? "Nothing to watch out for." : "The light is not available right now." });
    caller.replaceChildren(
      el("div", { class: "caller" }, light, el("div", {},
        el("h3", { id: "customer-name", text: c.name || "(no name on file)" }),
        el("div", { text: [c.email, c.phone].filter(Boolean).join(" · ") }),
        el("div", { class: "as-of", text: `${where}${weather}${c.segment ? " · " + c.segment.name : ""}` }),
      )),
      reasons,
    );
    const offer = document.getElementById("offer");
    if ("nextBestOffer" in view) {
      const o = view.nextBestOffer;
      const title = el("h2", {}, el("span", { text: "Next best offer" }));
      offer.replaceChildren(title, o
        ? el("div", {}, el("strong", { text: o.name }), el("div", { class: "as-of", text: `${o.reason || ""} · expected value ${fmtMoney(o.expectedValue)}` }))
        : el("p", { class: "empty", text: "Nothing to offer this caller right now." }));
    } else {
      offer.hidden = true;
    }
    section("tickets", "Open tickets", view.openTickets, (rows) => table([
      { title: "Subject", value: (t) => t.subject || "" },
      { title: "Priority", value: (t) => t.priority || "" },
      { title: "Status", value: (t) => t.status },
      { title: "Opened", value: (t) => (t.createdAt || "").slice(0, 10) },
    ], rows));
    section("invoices", "Unpaid invoices", view.unpaidInvoices, (rows) => table([
      { title: "Invoice", value: (i) => i.id },
      { title: "Due", value: (i) => i.dueOn || "" },
      { title: "Status", value: (i) => i.status || "" },
      { title: "Amount", num: true, value: (i) => fmtMoney(i.amount - (i.amountPaid || 0)) },
    ], rows));
    section("orders", "Recent orders", view.recentOrders, (rows) => table([
      { title: "Order", value: (o) => o.id },
      { title: "Placed", value: (o) => o.placedAt.slice(0, 10) },
      { title: "Status", value: (o) => o.status || "" },
      { title: "Total", num: true, value: (o) => fmtMoney(o.total) },
    ], rows));
    section("activity", "On the website today", view.webActivityToday, (rows) => table([
      { title: "Started", value: (v) => v.startedAt.slice(11, 16) + " UTC" },
      { title: "Landing page", value: (v) => v.landingPage || "" },
      { title: "Cart", value: (v) => v.cartStatus || "" },
      { title: "Value", num: true, value: (v) => fmtMoney(v.cartValue) },
    ], rows));
    renderMentions(view);
  }

  function renderMentions(view) {
    section("mentions", "Said about us (30 days)", view.recentMentions, (rows) => table([
      { title: "Posted", value: (m) => m.postedAt.slice(0, 10) },
      { title: "Network", value: (m) => m.network || "" },
      { title: "Sentiment", value: (m) => m.sentiment || "" },
      { title: "Text", value: (m) => m.text || "" },
    ], rows));
  }

  const reload = start(render, () => (input.value.trim() ? { phone: input.value.trim() } : null));
  document.getElementById("lookup").addEventListener("submit", (event) => {
    event.preventDefault();
    const url = new URL(location.href);
    url.searchParams.set("phone", input.value.trim());
    history.replaceState(null, "", url);
    reload();
  });
})();
