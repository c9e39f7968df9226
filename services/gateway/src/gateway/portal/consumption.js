// The Summary tab's consumption of the last 90 days: credits per day as bars against the
// quota spread over the 90 days as a line (left axis, credits a day), storage in use as a
// line (right axis, bytes); the same figures in a table below.
import { formatBytes, h, tableHead } from "./dom.js";

const DAY_MS = 86400000;
const NS = "http://www.w3.org/2000/svg";
// The chart's size and margins, in SVG units.
const W = 640;
const H = 232;
const LEFT = 56;
const RIGHT = 64;
const TOP = 26;
const BOTTOM = 28;
const PLOT_W = W - LEFT - RIGHT;
const PLOT_H = H - TOP - BOTTOM;

// An SVG element with its attributes and text.
function svgNode(tag, attrs, content) {
  const node = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (content !== undefined) node.textContent = content;
  return node;
}

const line = (x1, y1, x2, y2, kind) => svgNode("line", { x1, y1, x2, y2, class: kind });

// An axis's label or value at (x, y); `anchor` is where the text starts.
const tick = (x, y, words, anchor) =>
  svgNode("text", { x, y, class: "tick", ...(anchor ? { "text-anchor": anchor } : {}) }, words);

function chart(days, perDay) {
  const start = Date.now() - 89 * DAY_MS;
  const dayOf = (date) => Math.round((Date.parse(`${date}T12:00:00Z`) - start) / DAY_MS);
  const x = (date) => LEFT + (Math.max(0, Math.min(89, dayOf(date))) + 0.5) * (PLOT_W / 90);
  const creditMax = Math.max(1, ...days.map((d) => d.credits_consumed), perDay) * 1.1;
  const bytesMax = Math.max(1, ...days.map((d) => d.storage_bytes));
  const yc = (v) => TOP + PLOT_H - (v / creditMax) * PLOT_H;
  const yb = (v) => TOP + PLOT_H - (v / bytesMax) * PLOT_H;
  const svg = svgNode("svg", {
    viewBox: `0 0 ${W} ${H}`,
    class: "chart",
    role: "img",
    "aria-label":
      "Credits and storage in use over the last 90 days; the table below has the same figures",
  });
  svg.append(
    line(LEFT, TOP + PLOT_H, LEFT + PLOT_W, TOP + PLOT_H, "axis"),
    line(LEFT, TOP, LEFT, TOP + PLOT_H, "axis"),
    line(LEFT + PLOT_W, TOP, LEFT + PLOT_W, TOP + PLOT_H, "axis"),
  );
  for (const fraction of [0, 0.5, 1]) {
    const credits = (creditMax * fraction).toFixed(creditMax < 10 ? 1 : 0);
    const bytes = formatBytes(bytesMax * fraction);
    svg.append(
      tick(LEFT - 6, yc(creditMax * fraction) + 4, credits, "end"),
      tick(LEFT + PLOT_W + 6, yb(bytesMax * fraction) + 4, bytes),
    );
  }
  for (const ago of [89, 60, 30, 0]) {
    const date = new Date(Date.now() - ago * DAY_MS).toISOString().slice(0, 10);
    svg.append(tick(x(date), H - 8, date.slice(5), "middle"));
  }
  svg.append(
    tick(4, 12, "credits/day"),
    tick(W - 4, 12, "storage", "end"),
  );
  const barW = Math.max(1, PLOT_W / 90 - 1);
  for (const d of days) {
    const y = yc(d.credits_consumed);
    const bar = svgNode("rect", {
      x: x(d.date) - barW / 2, y, width: barW, height: TOP + PLOT_H - y, class: "credits",
    });
    const stored = formatBytes(d.storage_bytes);
    bar.append(svgNode("title", {}, `${d.date}: ${d.credits_consumed} credits, ${stored} stored`));
    svg.append(bar);
  }
  if (days.length) {
    const points = days.map((d) => `${x(d.date)},${yb(d.storage_bytes)}`).join(" ");
    svg.append(svgNode("polyline", { points, class: "storage" }));
  }
  if (perDay) svg.append(line(LEFT, yc(perDay), LEFT + PLOT_W, yc(perDay), "quota"));
  return svg;
}

function figures(days) {
  let running = 0;
  const totals = days.map((d) => (running += d.credits_consumed));
  const row = (d, i) =>
    h(
      "tr",
      {},
      h("td", {}, d.date),
      h("td", {}, d.credits_consumed.toLocaleString()),
      h("td", {}, totals[i].toLocaleString()),
      h("td", {}, formatBytes(d.storage_bytes)),
    );
  const columns = ["Day", "Credits", "Credits so far", "Storage in use"];
  return h(
    "details",
    {},
    h("summary", {}, "Figures by day"),
    h(
      "table",
      { id: "usage-table" },
      tableHead(columns, { scope: "col" }),
      h("tbody", {}, days.map(row)),
    ),
  );
}

export function consumptionCard(consumption, quota) {
  const days = [...consumption.daily].sort((a, b) => a.date.localeCompare(b.date));
  const perDay = quota ? quota / consumption.window_days : 0; // the quota's daily share
  const quotaLine = () =>
    `Credit quota per day (${quota.toLocaleString()} over ${consumption.window_days} days)`;
  const legend = h(
    "ul",
    { class: "legend" },
    h("li", { class: "credits" }, "Credits per day"),
    perDay ? h("li", { class: "quota" }, quotaLine()) : null,
    h("li", { class: "storage" }, "Storage in use"),
  );
  return h(
    "section",
    { class: "card", id: "card-consumption" },
    h("h2", {}, "Credits and Storage Consumption"),
    h(
      "dl",
      {},
      h("dt", {}, `Credits (last ${consumption.window_days} days)`),
      h("dd", {}, consumption.credits_consumed.toLocaleString()),
      h("dt", {}, "Storage in use"),
      h("dd", {}, formatBytes(consumption.storage_consumed_bytes)),
    ),
    days.length
      ? [chart(days, perDay), legend, figures(days)]
      : h("p", { class: "muted" }, "No usage reported in the last 90 days."),
  );
}
