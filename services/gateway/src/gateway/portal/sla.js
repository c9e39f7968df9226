// The SLA tab: the window switch, job and alert statistics, the open alerts and the
// backup set table. The window, the set table's order and filter and the alerts' severity
// live in the address, so a reload (or a link) keeps them.
import { alertsCard } from "./alerts.js";
import { setsCard } from "./backup-sets.js";
import { h, when } from "./dom.js";
import { SEVERITIES, WINDOWS } from "./vocabulary.js";

// The tab's address with `change` (e.g. { sort: "name" }) made to what is shown.
function slaHash(state, change = {}) {
  const all = { window: state.window, ...state.table, severity: state.severity, ...change };
  const shown = Object.entries(all).filter(([, v]) => v);
  return `#/customers/${state.id}/sla?${new URLSearchParams(Object.fromEntries(shown))}`;
}

const percent = (rate) => (rate === null ? "—" : `${(rate * 100).toFixed(1)} %`);

function jobsStat(title, jobs) {
  return h(
    "section",
    { class: "card stat" },
    h("h2", {}, title),
    h("div", { class: "big" }, percent(jobs.success_rate)),
    h("div", { class: "muted" }, "success rate"),
    h(
      "ul",
      {},
      h("li", {}, `${jobs.total} finished`),
      h("li", {}, `${jobs.successful} successful`),
      h("li", {}, `${jobs.successful_with_errors} with errors`),
      h("li", {}, `${jobs.failed} failed`),
      h("li", {}, `${jobs.canceled} canceled`),
    ),
  );
}

function alertsStat(sla) {
  const { open, acknowledged = {}, raised_in_window: raised } = sla.alerts;
  const severities = Object.keys(SEVERITIES);
  const line = (s) =>
    `${s}: ${open[s]} open (${acknowledged[s] || 0} acknowledged), ` +
    `${raised[s]} raised in ${sla.window}`;
  return h(
    "section",
    { class: "card stat" },
    h("h2", {}, "Alerts"),
    h("div", { class: "big" }, severities.reduce((sum, s) => sum + open[s], 0)),
    h("div", { class: "muted" }, "open"),
    h("ul", {}, severities.map((s) => h("li", {}, line(s)))),
  );
}

export function slaTab(state) {
  const sla = state.details.sla;
  const show = (change) => {
    location.hash = slaHash(state, change);
  };
  const switcher = h(
    "div",
    { class: "switch", role: "group", "aria-label": "Window" },
    WINDOWS.map((w) => {
      const active = w === state.window ? "active" : "";
      return h("button", { class: active, onclick: () => show({ window: w }) }, w);
    }),
  );
  if (!sla) {
    return h(
      "section",
      {},
      h("div", { class: "toolbar" }, switcher),
      h("p", { class: "muted" }, "No SLA figures right now."),
    );
  }
  const sets = setsCard(state, sla, show);
  const asOf = h("span", { class: "muted" }, `as of ${when(sla.as_of)}`);
  return h(
    "div",
    {},
    h("div", { class: "toolbar" }, switcher, asOf),
    h(
      "div",
      { class: "stats" },
      jobsStat("Backup jobs", sla.backup_jobs),
      jobsStat("Restore jobs", sla.restore_jobs),
      alertsStat(sla),
    ),
    alertsCard(state, show),
    sets,
  );
}
