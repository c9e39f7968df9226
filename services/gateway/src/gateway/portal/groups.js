// The Summary tab's customer groups (a reseller, a team): shown to whoever sees the
// customer; set by an msp_admin, one group a line (the API refuses a restricted one: 403).
import { api, canEdit, showProblem } from "./api.js";
import { clearTexts, fieldError, h, refresh } from "./dom.js";

const groupList = (groups) =>
  groups.length
    ? h("ul", { class: "groups" }, groups.map((g) => h("li", { class: "badge group" }, g)))
    : h("p", { class: "muted" }, "In no customer group.");

// The API names a refused name by its place (`groups.2`): said under the one field, with it.
const underTheField = (problem, names) => ({
  ...problem,
  errors: (problem.errors || []).map(({ field, message }) => {
    const at = Number(field.split(".")[1]);
    const named = Number.isInteger(at) && names[at] !== undefined ? `"${names[at]}": ` : "";
    return { field: "groups", message: `${named}${message}` };
  }),
});

export function groupsCard(state, groups) {
  const card = h("section", { class: "card", id: "card-groups" });
  const show = () =>
    card.replaceChildren(
      h(
        "header",
        {},
        h("h2", {}, "Customer Groups"),
        canEdit() ? h("button", { class: "secondary", onclick: edit }, "Edit") : null,
      ),
      groupList(groups),
    );
  const edit = () => {
    const input = h(
      "textarea",
      { id: "groups-names", name: "groups", rows: Math.max(3, groups.length + 1) },
      groups.join("\n"),
    );
    const errors = { groups: fieldError("groups-names") };
    const formError = h("p", { class: "error", role: "alert" });
    const save = h("button", { type: "submit" }, "Save");
    const cancel = h("button", { type: "button", class: "secondary", onclick: show }, "Cancel");
    const form = h(
      "form",
      { novalidate: true },
      h("label", { for: "groups-names" }, "Groups, one a line"),
      input,
      errors.groups,
      formError,
      h("div", { class: "actions" }, save, cancel),
    );
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      clearTexts([errors.groups, formError]);
      const names = input.value.split("\n").map((line) => line.trim()).filter(Boolean);
      save.disabled = true;
      try {
        const path = `/customers/${encodeURIComponent(state.id)}/groups`;
        await api("PUT", path, { groups: names }, { "If-Match": state.etag });
        refresh("Customer groups saved.");
      } catch (error) {
        save.disabled = false;
        if (error.problem) error.problem = underTheField(error.problem, names);
        showProblem(error, errors, formError, "");
      }
    });
    card.replaceChildren(h("h2", {}, "Edit Customer Groups"), form);
    input.focus();
  };
  show();
  return card;
}
