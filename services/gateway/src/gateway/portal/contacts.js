// The Summary tab's contacts: the table and, for an msp_admin, Add, Edit (the row becomes
// its form) and Delete.
import { api, canEdit, showProblem, STALE } from "./api.js";
import { clearTexts, fieldError, h, refresh, tableHead, text, wideRow } from "./dom.js";

const FIELDS = [["name", "Name"], ["email", "Email"], ["phone", "Phone (E.164)"]];
const inputType = (name) => (name === "email" ? "email" : "text");

export function contactsCard(state, contacts) {
  const notice = h("p", { class: "inline-notice", role: "alert" });
  const rows = contacts.map((c) => {
    const actions = () => [
      h("button", { class: "secondary", onclick: () => editContact(state, c, row) }, "Edit"),
      " ",
      h("button", { class: "danger", onclick: () => removeContact(state, c, notice) }, "Delete"),
    ];
    const row = h(
      "tr",
      { "data-contact": c.id },
      h("td", {}, c.name),
      h("td", {}, c.email),
      h("td", {}, text(c.phone)),
      h("td", {}, canEdit() ? actions() : null),
    );
    return row;
  });
  const card = h(
    "section",
    { class: "card", id: "card-contacts" },
    h("h2", {}, "Contact Details"),
    notice,
    h(
      "table",
      {},
      tableHead(["Name", "Email", "Phone", ""]),
      h("tbody", {}, rows.length ? rows : wideRow(4, "muted", "No contacts yet.")),
    ),
  );
  if (canEdit()) card.append(...addForm(state));
  return card;
}

// A new contact's fields in a row under the table.
function addForm(state) {
  const inputs = {};
  const errors = {};
  const cells = FIELDS.map(([name, label]) => {
    const inputId = `contact-${name}`;
    inputs[name] = h("input", {
      id: inputId, name, type: inputType(name), "aria-label": label, placeholder: label,
    });
    errors[name] = fieldError(inputId);
    return h("div", {}, inputs[name], errors[name]);
  });
  const formError = h("p", { class: "error", role: "alert" });
  const add = h("button", { type: "submit" }, "Add contact");
  const form = h("form", { class: "inline-form", novalidate: true }, cells, add);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearTexts(Object.values(errors));
    const contact = {};
    for (const [name, input] of Object.entries(inputs)) {
      if (input.value.trim()) contact[name] = input.value.trim();
    }
    add.disabled = true;
    try {
      await api("POST", `/customers/${state.id}/contacts`, contact, { "If-Match": state.etag });
      refresh("Contact added.");
    } catch (error) {
      add.disabled = false;
      showProblem(error, errors, formError, "contact");
    }
  });
  return [form, formError];
}

// A contact's row becomes its form; errors show under the field they are about.
function editContact(state, contact, row) {
  const inputs = {};
  const errors = {};
  const cells = FIELDS.map(([name, label]) => {
    const inputId = `contact-${contact.id}-${name}`;
    inputs[name] = h("input", {
      id: inputId, name, type: inputType(name), "aria-label": label, value: contact[name] ?? "",
    });
    errors[name] = fieldError(inputId);
    return h("td", {}, inputs[name], errors[name]);
  });
  const formError = h("p", { class: "error", role: "alert" });
  const save = h("button", { type: "button" }, "Save");
  const cancel = h(
    "button",
    { type: "button", class: "secondary", onclick: () => editor.replaceWith(row) },
    "Cancel",
  );
  const editor = h(
    "tr",
    { "data-contact": contact.id, class: "editing" },
    cells,
    h("td", {}, save, " ", cancel, formError),
  );
  save.addEventListener("click", async () => {
    clearTexts(Object.values(errors));
    formError.textContent = "";
    const change = {};
    for (const [name, input] of Object.entries(inputs)) {
      const next = input.value.trim() || null;
      if (next !== (contact[name] ?? null)) change[name] = next;
    }
    save.disabled = true;
    const path = `/customers/${state.id}/contacts/${contact.id}`;
    try {
      await api("PATCH", path, change, { "If-Match": state.etag });
      refresh("Contact saved.");
    } catch (error) {
      save.disabled = false;
      showProblem(error, errors, formError, "contact");
    }
  });
  row.replaceWith(editor);
  inputs.name.focus();
}

async function removeContact(state, contact, notice) {
  if (!confirm(`Delete the contact ${contact.name}?`)) return;
  const path = `/customers/${state.id}/contacts/${contact.id}`;
  try {
    await api("DELETE", path, null, { "If-Match": state.etag });
    refresh("Contact deleted.");
  } catch (error) {
    if (error.status === 412) return refresh(STALE);
    if (error.status !== 401) notice.textContent = error.message;
  }
}
