/**
 * The performance-profile plot as SVG text: ρ_m(τ) step curves of every method, one panel per table
 * (Best Attempt, Best Submission), with AUP in the legend. Hand-written (about 60 lines): a plotting
 * dependency (vega, d3 + a DOM) would outweigh this and pull a browser-ish runtime into a CLI.
 */

import type { AupResult } from './profiles.js';

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
const escapeXml = (text: string) => text.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);

function panel(title: string, result: AupResult, x0: number): string {
  const width = 420;
  const height = 300;
  const left = x0 + 50;
  const top = 40;
  const plotW = width - 70;
  const plotH = height - 90;
  const sx = (tau: number) => left + (result.tauMax > 0 ? (tau / result.tauMax) * plotW : 0);
  const sy = (rho: number) => top + plotH - rho * plotH;
  const parts: string[] = [
    `<text x="${left + plotW / 2}" y="24" text-anchor="middle" font-weight="bold">${escapeXml(title)}</text>`,
    `<rect x="${left}" y="${top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333"/>`,
  ];
  for (let i = 0; i <= 4; i++) {
    const tau = (result.tauMax * i) / 4;
    const rho = i / 4;
    parts.push(`<text x="${sx(tau)}" y="${top + plotH + 16}" text-anchor="middle" font-size="11">${tau.toFixed(2)}</text>`);
    parts.push(`<text x="${left - 6}" y="${sy(rho) + 4}" text-anchor="end" font-size="11">${rho.toFixed(2)}</text>`);
  }
  parts.push(`<text x="${left + plotW / 2}" y="${top + plotH + 34}" text-anchor="middle" font-size="12">τ (log10 performance ratio)</text>`);
  parts.push(
    `<text x="${x0 + 14}" y="${top + plotH / 2}" text-anchor="middle" font-size="12" transform="rotate(-90 ${x0 + 14} ${top + plotH / 2})">ρ(τ)</text>`,
  );
  result.methods.forEach((method, i) => {
    const rho = result.profiles[method] ?? [];
    let path = '';
    result.grid.forEach((tau, j) => {
      const y = sy(rho[j] ?? 0);
      path += j === 0 ? `M${sx(tau).toFixed(1)},${y.toFixed(1)}` : `H${sx(tau).toFixed(1)}V${y.toFixed(1)}`;
    });
    const color = method === 'baseline' ? '#000' : COLORS[i % COLORS.length]!;
    parts.push(
      `<path d="${path}" fill="none" stroke="${color}" stroke-width="2"${method === 'baseline' ? ' stroke-dasharray="5,3"' : ''} data-method="${escapeXml(method)}"/>`,
    );
    const ly = top + plotH + 52 + 14 * Math.floor(i / 2);
    const lx = left + (i % 2) * (plotW / 2);
    parts.push(`<line x1="${lx}" y1="${ly - 4}" x2="${lx + 16}" y2="${ly - 4}" stroke="${color}" stroke-width="2"/>`);
    parts.push(`<text x="${lx + 20}" y="${ly}" font-size="11">${escapeXml(method)} (AUP ${(result.aup[method] ?? 0).toFixed(3)})</text>`);
  });
  return parts.join('\n');
}

export function profileSvg(panels: readonly { readonly title: string; readonly result: AupResult }[]): string {
  const rows = Math.max(1, ...panels.map((p) => Math.ceil(p.result.methods.length / 2)));
  const height = 300 + 14 * rows;
  const width = 440 * panels.length;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    ...panels.map((p, i) => panel(p.title, p.result, i * 440)),
    '</svg>',
    '',
  ].join('\n');
}
