// Reproduces botsdk contract content hashes with Node's standard library only (RFC 8785 / JCS).
//   node contract_hash.mjs VECTORS.json    check every vector; exit 0 when all match, 1 otherwise
//   node contract_hash.mjs --canonical FILE  print the canonical form of the JSON value in FILE
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

// JCS: JSON.stringify already writes numbers (Number::toString) and strings the RFC 8785 way; only the member
// order needs sorting, by UTF-16 code units (JavaScript's default string comparison).
function canonical(value) {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return "[" + value.map(canonical).join(",") + "]";
  const keys = Object.keys(value).sort();
  return "{" + keys.map((k) => JSON.stringify(k) + ":" + canonical(value[k])).join(",") + "}";
}

function contentHash(document) {
  const { content_hash: _claimed, ...content } = document;
  const text = canonical(content);
  return { text, hash: "sha256:" + createHash("sha256").update(text, "utf8").digest("hex") };
}

const args = process.argv.slice(2);
if (args[0] === "--canonical") {
  process.stdout.write(canonical(JSON.parse(readFileSync(args[1], "utf8"))));
  process.exit(0);
}
const { vectors } = JSON.parse(readFileSync(args[0], "utf8"));
let failures = 0;
for (const vector of vectors) {
  const { text, hash } = contentHash(vector.document);
  const ok = text === vector.canonical && hash === vector.content_hash && hash === vector.document.content_hash;
  if (!ok) failures += 1;
  console.log(`${ok ? "ok" : "MISMATCH"} ${vector.name} ${hash}`);
}
process.exit(failures === 0 && vectors.length > 0 ? 0 : 1);
