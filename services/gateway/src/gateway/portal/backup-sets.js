// The SLA tab's backup set table: order and filter (from the address), pages, CSV export,
// and each set's latest jobs opened under its row.
import { api, download } from "./api.js";
import { badge, formatBytes, h, select, tableHead, text, when, wideRow } from "./dom.js";
import { RPO_FILTERS, SET_ORDERS } from "./vocabulary.js";

const COLUMNS = [
  "Backup set", "Workload", "RPO", "RPO status", "Last successful backup", "Last backup",
  "Last restore", "Last failure", "Open alerts",
];
const JOB_COLUMNS = ["Job", "Type", "Status", "Started", "Ended", "Transferred", "Error"];

// A job's status and start, or "—" when there is none.
const lastJob = (job) => (job ? [badge(job.status), " ", when(job.started_at)] : "—");

function lastFailure(failure) {
  if (!failure) return "—";
  return [
    h("strong", {}, text(failure.error_code, "failed")),
    ": ",
    text(failure.error_message, "no message"),
    h("div", { class: "muted" }, when(failure.ended_at)),
  ];
}

function setRow(state, s) {
  const name = text(s.name, s.backup_set_id);
  const history = h(
    "button",
    {
      class: "link history",
      "aria-expanded": "false",
      "aria-label": `Job history of ${name}`,
      onclick: (e) => toggleHistory(state, s, e.currentTarget),
    },
    "History",
  );
  return h(
    "tr",
    { "data-set": s.backup_set_id },
    h("td", {}, h("span", { class: "set-name" }, name), " ", history),
    h("td", {}, text(s.workload)),
    h("td", {}, `${s.rpo_hours} h`),
    h("td", {}, badge(s.rpo_status)),
    h("td", {}, when(s.last_successful_backup_at)),
    h("td", {}, lastJob(s.last_backup)),
    h("td", {}, lastJob(s.last_restore)),
    h("td", { class: "failure" }, lastFailure(s.last_failure)),
    h("td", {}, String(s.open_alerts)),
  );
}

/** The card of the sets: the details view's first page, or (another order or filter than
 * its own) the first page asked for; `show(change)` goes to the tab's address with it. */
export function setsCard(state, sla, show) {
  const table = state.table || {};
  const body = h("tbody");
  const more = h("button", { class: "secondary", hidden: true }, "More backup sets");
  const sort = select(
    { id: "set-sort", "aria-label": "Sort backup sets" },
    SET_ORDERS,
    table.sort || "",
  );
  const filter = select(
    { id: "set-filter", "aria-label": "Show backup sets" },
    RPO_FILTERS,
    table.rpo_status || "",
  );
  sort.addEventListener("change", () => show({ sort: sort.value }));
  filter.addEventListener("change", () => show({ rpo_status: filter.value }));
  let cursor = null;
  const moreNotice = h("span", { class: "inline-notice", role: "alert" });
  const showPage = (sets) => {
    body.append(...sets.items.map((s) => setRow(state, s)));
    if (!body.children.length) {
      body.append(wideRow(COLUMNS.length, "muted", "No backup sets match."));
    }
    cursor = sets.next_cursor;
    more.hidden = !cursor;
  };
  const loadMore = async () => {
    more.disabled = true;
    moreNotice.textContent = "";
    try {
      const chosen = Object.fromEntries(Object.entries(table).filter(([, v]) => v));
      const params = new URLSearchParams({ window: state.window, ...chosen });
      if (cursor) params.set("cursor", cursor);
      const path = `/customers/${encodeURIComponent(state.id)}/sla?${params}`;
      const { body: page } = await api("GET", path);
      body.querySelector("td.loading")?.closest("tr").remove();
      showPage(page.backup_sets);
    } catch (error) {
      if (error.status !== 401) moreNotice.textContent = `${error.message}; try again.`;
    } finally {
      more.disabled = false;
    }
  };
  more.addEventListener("click", loadMore);
  if (table.sort || table.rpo_status) {
    body.append(wideRow(COLUMNS.length, "loading", "Loading backup sets…"));
    loadMore();
  } else showPage(sla.backup_sets);
  const { total, rpo_breached: breached, never_backed_up: never } = sla.backup_sets;
  const heading = `Backup sets (${total}: ${breached} RPO breached, ${never} never backed up)`;
  return h(
    "section",
    { class: "card" },
    h("header", {}, h("h2", {}, heading), exportButton(state)),
    h("div", { class: "toolbar" }, sort, filter),
    h("table", { id: "backup-sets" }, tableHead(COLUMNS), body),
    h("div", { class: "pager" }, moreNotice, more),
  );
}

function exportButton(state) {
  const notice = h("span", { class: "inline-notice", role: "alert" });
  const id = encodeURIComponent(state.id);
  const save = (e) =>
    download(
      `/customers/${id}/backup-sets.csv?window=${state.window}`,
      `backup-sets-${state.id}.csv`,
      e.currentTarget,
      notice,
    );
  const button = h("button", { class: "secondary", onclick: save }, "Export CSV");
  return h("span", {}, notice, " ", button);
}

const jobRow = (j) =>
  h(
    "tr",
    { "data-job": j.job_id },
    h("td", {}, j.job_id),
    h("td", {}, j.job_type),
    h("td", {}, badge(j.status)),
    h("td", {}, when(j.started_at)),
    h("td", {}, when(j.ended_at)),
    h("td", {}, formatBytes(j.bytes_transferred)),
    h(
      "td",
      { class: "failure" },
      j.error_code || j.error_message
        ? `${text(j.error_code, "")} ${text(j.error_message, "")}`.trim()
        : "—",
    ),
  );

// A set's latest 20 jobs, in a row opened under the set's own.
async function toggleHistory(state, set, button) {
  const row = button.closest("tr");
  const next = row.nextElementSibling;
  if (next?.classList.contains("job-history")) {
    next.remove();
    button.setAttribute("aria-expanded", "false");
    return;
  }
  const waiting = h("p", { class: "loading", role: "status" }, "Loading jobs…");
  const cell = h("td", { colspan: COLUMNS.length }, waiting);
  row.after(h("tr", { class: "job-history", "data-history": set.backup_set_id }, cell));
  button.setAttribute("aria-expanded", "true");
  try {
    const params = new URLSearchParams({ backup_set_id: set.backup_set_id });
    const path = `/customers/${encodeURIComponent(state.id)}/jobs?${params}`;
    const { body: history } = await api("GET", path);
    const caption = `Latest jobs of ${text(set.name, set.backup_set_id)}`;
    cell.replaceChildren(
      history.items.length
        ? h(
            "table",
            { class: "jobs" },
            h("caption", {}, caption),
            tableHead(JOB_COLUMNS),
            h("tbody", {}, history.items.map(jobRow)),
          )
        : h("p", { class: "muted" }, "No jobs yet."),
    );
  } catch (error) {
    if (error.status !== 401) {
      const notice = `${error.message}; try again.`;
      cell.replaceChildren(h("p", { class: "inline-notice", role: "alert" }, notice));
    }
  }
}
