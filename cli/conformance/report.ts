/**
 * How a conformance run is shown: a line per check (PASS/FAIL, what it checks, why it failed) with
 * every request and answer under it, or one JSON object for machines. Everything passes through
 * {@link redact}, the project's one redaction point, so no key reaches the output.
 * @packageDocumentation
 */
import { redact } from "../../provider/redact";
import type { KitExchange } from "./http-client";
import type { ConformanceReport } from "./runner";

/** Headers worth showing for a request (credentials are redacted, never dropped silently). */
const REQUEST_HEADERS = ["x-api-key", "x-pixel-id", "idempotency-key", "if-match", "if-none-match", "content-type"];
/** Headers worth showing for an answer. */
const RESPONSE_HEADERS = ["etag", "idempotent-replayed", "content-type", "retry-after"];

function pick(headers: Readonly<Record<string, string>>, names: readonly string[]): string {
  return names
    .filter((n) => headers[n] !== undefined)
    .map((n) => `${n}: ${headers[n] ?? ""}`)
    .join(", ");
}

function exchangeLines(x: KitExchange): string[] {
  const q = new URLSearchParams(x.request.query).toString();
  const lines = [
    `    ${x.probe ? "(probe) " : ""}→ ${x.request.method} ${x.request.path}${q === "" ? "" : `?${q}`}  [${pick(x.request.headers, REQUEST_HEADERS)}]`,
  ];
  if (x.request.body !== "") lines.push(`        ${x.request.body}`);
  if (x.response) {
    lines.push(`      ← ${x.response.status}  [${pick(x.response.headers, RESPONSE_HEADERS)}]`);
    if (x.response.text !== "") lines.push(`        ${x.response.text}`);
  } else {
    lines.push(`      ← no answer: ${x.error ?? "unknown"}`);
  }
  return lines;
}

/** The human report: one block per check; `verbose` also lists the exchanges of passing checks. */
export function renderText(report: ConformanceReport, verbose = true): string {
  const out: string[] = [`Upstack destination contract conformance — ${report.url}, pixel ${report.pixelId}`];
  for (const c of report.checks) {
    out.push(`${c.ok ? "PASS" : "FAIL"} ${c.id} — ${c.title}`);
    if (!c.ok) out.push(`  ✗ ${c.failure ?? "failed"}`);
    if (verbose || !c.ok) for (const x of c.exchanges) out.push(...exchangeLines(x));
  }
  if (report.aborted) out.push(`✗ ${report.aborted.message}`);
  out.push(`${report.passed} passed, ${report.failed} failed${report.aborted ? ` (run ${report.aborted.reason})` : ""}.`);
  return redact(`${out.join("\n")}\n`);
}

/** The machine report: {@link ConformanceReport} as one JSON line. */
export function renderJson(report: ConformanceReport): string {
  return `${redact(JSON.stringify(report))}\n`;
}
