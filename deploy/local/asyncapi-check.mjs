// Validates an AsyncAPI document with the official parser: node asyncapi-check.mjs FILE
// (run from a folder whose node_modules holds @asyncapi/parser; see tests/deploy/test_asyncapi.py).
import { Parser } from "@asyncapi/parser";
import { readFileSync } from "node:fs";
const parser = new Parser();
const { document, diagnostics } = await parser.parse(readFileSync(process.argv[2], "utf8"));
const errors = diagnostics.filter((d) => d.severity === 0);
for (const d of diagnostics) console.log(`${["error", "warning", "info", "hint"][d.severity]} ${d.code} ${d.path.join(".")}: ${d.message}`);
process.exit(document && errors.length === 0 ? 0 : 1);
