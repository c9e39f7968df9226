// The MSC portal: customers list and Customer Details (Summary and SLA tabs), plain
// browser ES modules served by the gateway (no build step, nothing from a CDN). This one
// routes: the address's hash names the page, and each hash change draws it.
import { canList, claims, home, showWho, signIn, signOut, token } from "./api.js";
import { customersList } from "./customers.js";
import { customerDetails } from "./details.js";
import { drawWith, h, view } from "./dom.js";
import { DEFAULT_WINDOW } from "./vocabulary.js";

let flash = "";

// The page of the current address, with `message` shown above a customer's details.
function route(message = "") {
  flash = message;
  showWho();
  if (!token()) return signIn();
  const [path, query = ""] = location.hash.replace(/^#/, "").split("?");
  const params = new URLSearchParams(query);
  const match = path.match(/^\/customers\/([^/]+)\/(summary|sla)$/);
  if (match) {
    const table = { sort: params.get("sort") || "", rpo_status: params.get("rpo_status") || "" };
    const slaWindow = params.get("window") || DEFAULT_WINDOW;
    const severity = params.get("severity") || "";
    const [id, tab] = [decodeURIComponent(match[1]), match[2]];
    return customerDetails(id, tab, slaWindow, table, severity).then(() => {
      if (flash) view.prepend(h("p", { class: "notice", role: "status", id: "flash" }, flash));
    });
  }
  if (!canList() && !claims().customer_id) {
    return signIn("This token names no customer; paste another.");
  }
  if (!canList()) {
    location.hash = home(); // the hash change routes again
    return undefined;
  }
  return customersList();
}

drawWith(route);
document.getElementById("sign-out").addEventListener("click", signOut);
window.addEventListener("hashchange", () => route());
route();
