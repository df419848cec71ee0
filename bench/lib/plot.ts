// A hand-written SVG line chart (no dependencies): wall time vs N, log-log, one colour per
// operation, ours solid, the floor dashed.

export interface Series {
  label: string;
  color: string;
  dashed: boolean;
  points: Array<{ n: number; ms: number }>;
}

const esc = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export function plotSvg(title: string, series: Series[]): string {
  const W = 860;
  const H = 520;
  const m = { l: 70, r: 230, t: 40, b: 50 };
  const pw = W - m.l - m.r;
  const ph = H - m.t - m.b;
  const all = series.flatMap((s) => s.points).filter((p) => p.ms > 0 && p.n > 0);
  const ns = [...new Set(all.map((p) => p.n))].sort((a, b) => a - b);
  const nMin = ns[0] ?? 1;
  const nMax = Math.max(ns[ns.length - 1] ?? 10, nMin * 10);
  const yMin = 10 ** Math.floor(Math.log10(Math.min(...all.map((p) => p.ms), 1000)));
  const yMax = 10 ** Math.ceil(Math.log10(Math.max(...all.map((p) => p.ms), 10)));
  const x = (n: number): number => m.l + (nMax === nMin ? 0 : ((Math.log10(n) - Math.log10(nMin)) / (Math.log10(nMax) - Math.log10(nMin))) * pw);
  const y = (ms: number): number => m.t + ph - ((Math.log10(ms) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))) * ph;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  out.push(`<text x="${m.l}" y="22" font-size="15" font-weight="bold">${esc(title)}</text>`);
  for (let e = Math.log10(yMin); e <= Math.log10(yMax); e++) {
    const v = 10 ** e;
    out.push(`<line x1="${m.l}" x2="${m.l + pw}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#ddd"/>`);
    out.push(`<text x="${m.l - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${v >= 1000 ? `${v / 1000} s` : `${v} ms`}</text>`);
  }
  for (const n of ns) {
    out.push(`<line x1="${x(n).toFixed(1)}" x2="${x(n).toFixed(1)}" y1="${m.t}" y2="${m.t + ph}" stroke="#eee"/>`);
    out.push(`<text x="${x(n).toFixed(1)}" y="${m.t + ph + 18}" text-anchor="middle">${n}</text>`);
  }
  out.push(`<rect x="${m.l}" y="${m.t}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`);
  out.push(`<text x="${m.l + pw / 2}" y="${H - 10}" text-anchor="middle">N (destinations, log scale)</text>`);
  out.push(`<text transform="translate(16 ${m.t + ph / 2}) rotate(-90)" text-anchor="middle">wall time (log scale)</text>`);
  series.forEach((s, i) => {
    const pts = s.points.filter((p) => p.ms > 0).sort((a, b) => a.n - b.n);
    if (pts.length === 0) return;
    const d = pts.map((p, j) => `${j === 0 ? "M" : "L"}${x(p.n).toFixed(1)},${y(p.ms).toFixed(1)}`).join(" ");
    out.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ""}/>`);
    for (const p of pts) out.push(`<circle cx="${x(p.n).toFixed(1)}" cy="${y(p.ms).toFixed(1)}" r="3" fill="${s.color}"/>`);
    const ly = m.t + 10 + i * 18;
    out.push(
      `<line x1="${m.l + pw + 15}" x2="${m.l + pw + 45}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ""}/>`,
    );
    out.push(`<text x="${m.l + pw + 52}" y="${ly + 4}">${esc(s.label)}</text>`);
  });
  out.push("</svg>");
  return out.join("\n") + "\n";
}
