// The SLA tab's open alerts, newest first, a page at a time, filtered by severity; an
// msp_admin acknowledges one (it stays open until cleared; who and when are shown).
import { api, canEdit } from "./api.js";
import { badge, h, select, tableHead, text, when, wideRow } from "./dom.js";
import { SEVERITIES } from "./vocabulary.js";

const COLUMNS = ["Severity", "Type", "Message", "Backup set", "Raised", "Acknowledged"];

const acknowledged = (ack) =>
  h("span", { class: "muted" }, `Acknowledged by ${ack.by}, ${when(ack.at)}`);

// The alert's Acknowledge button, which says in `notice` what went wrong.
function acknowledgeButton(state, alert, cell, notice) {
  const button = h("button", { class: "secondary" }, "Acknowledge");
  button.addEventListener("click", async () => {
    button.disabled = true;
    notice.textContent = "";
    try {
      const path = `/customers/${encodeURIComponent(state.id)}/alerts/acknowledgements`;
      const { body: done } = await api("POST", path, { alert_id: alert.alert_id });
      cell.replaceChildren(acknowledged(done.acknowledged));
    } catch (error) {
      button.disabled = false;
      if (error.status !== 401) notice.textContent = `${error.message}`;
    }
  });
  return button;
}

function alertRow(state, a, notice) {
  const cell = h("td", {}, a.acknowledged ? acknowledged(a.acknowledged) : null);
  if (!a.acknowledged && canEdit()) cell.append(acknowledgeButton(state, a, cell, notice));
  return h(
    "tr",
    { "data-alert": a.alert_id },
    h("td", {}, badge(a.severity)),
    h("td", {}, text(a.alert_type)),
    h("td", {}, text(a.message)),
    h("td", {}, text(a.backup_set_id)),
    h("td", {}, when(a.raised_at)),
    cell,
  );
}

/** The alerts card; `show(change)` goes to the tab's address with the severity chosen. */
export function alertsCard(state, show) {
  const body = h("tbody");
  const notice = h("span", { class: "inline-notice", role: "alert" });
  const more = h("button", { class: "secondary", hidden: true }, "More alerts");
  const filter = select(
    { id: "alert-severity", "aria-label": "Severity" },
    [["", "All severities"], ...Object.entries(SEVERITIES)],
    state.severity || "",
  );
  let cursor = null;
  const load = async (fresh) => {
    more.disabled = true;
    notice.textContent = "";
    if (fresh) {
      cursor = null;
      body.replaceChildren(wideRow(COLUMNS.length, "loading", "Loading alerts…"));
    }
    try {
      const params = new URLSearchParams({ limit: "20" });
      if (filter.value) params.set("severity", filter.value);
      if (cursor) params.set("cursor", cursor);
      const path = `/customers/${encodeURIComponent(state.id)}/alerts?${params}`;
      const { body: page } = await api("GET", path);
      if (fresh) body.replaceChildren();
      body.append(...page.items.map((a) => alertRow(state, a, notice)));
      if (fresh && !page.items.length) {
        body.replaceChildren(wideRow(COLUMNS.length, "muted", "No open alerts."));
      }
      cursor = page.next_cursor;
      more.hidden = !cursor;
    } catch (error) {
      if (fresh) body.replaceChildren();
      if (error.status !== 401) notice.textContent = `${error.message}; try again.`;
    } finally {
      more.disabled = false;
    }
  };
  filter.addEventListener("change", () => show({ severity: filter.value }));
  more.addEventListener("click", () => load(false));
  load(true);
  return h(
    "section",
    { class: "card", id: "card-alerts" },
    h("header", {}, h("h2", {}, "Open alerts"), filter),
    h("table", { id: "alerts" }, tableHead(COLUMNS), body),
    h("div", { class: "pager" }, notice, more),
  );
}
