// Small SVG charts: a line chart for training metrics and a bar chart for prediction scores.
import { formatNumber } from './dom.js';

const SVG = 'http://www.w3.org/2000/svg';

/**
 * An SVG element.
 * @param {string} tag
 * @param {Record<string, string | number>} [attrs]
 * @param {string} [text]
 */
function s(tag, attrs = {}, text) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

/**
 * About `count` round tick values covering [min, max].
 * @param {number} min
 * @param {number} max
 * @param {number} [count]
 * @returns {number[]}
 */
function ticks(min, max, count = 5) {
  if (min === max) return [min];
  const raw = (max - min) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((x) => x >= raw) ?? 10 * mag;
  const out = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/**
 * A line chart of points [{x, y}] with axes and ticks. The latest value is printed, and
 * the chart is described for screen readers by its title and that value.
 * @param {{ title: string, points: { x: number, y: number }[], xLabel?: string, width?: number, height?: number }} chart
 */
export function lineChart({ title, points, xLabel = 'step', width = 460, height = 220 }) {
  const pad = { left: 56, right: 16, top: 28, bottom: 40 };
  const last = points[points.length - 1];
  const label = last ? `${title}: ${formatNumber(last.y)} at ${xLabel} ${formatNumber(last.x)}` : `${title}: no points yet`;
  const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': label, class: 'chart', 'data-metric': title });
  svg.append(s('title', {}, label), s('text', { x: pad.left, y: 18, class: 'chart-title' }, title));
  if (!points.length) return svg;
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  let [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  if (y0 === y1) [y0, y1] = [y0 - 1, y1 + 1];
  const [x0, x1] = [Math.min(...xs), Math.max(...xs) === Math.min(...xs) ? Math.min(...xs) + 1 : Math.max(...xs)];
  const w = width - pad.left - pad.right;
  const hgt = height - pad.top - pad.bottom;
  const X = (/** @type {number} */ x) => pad.left + ((x - x0) / (x1 - x0)) * w;
  const Y = (/** @type {number} */ y) => pad.top + hgt - ((y - y0) / (y1 - y0)) * hgt;
  for (const t of ticks(y0, y1, 4)) {
    svg.append(s('line', { x1: pad.left, x2: pad.left + w, y1: Y(t), y2: Y(t), class: 'grid' }));
    svg.append(s('text', { x: pad.left - 6, y: Y(t) + 4, 'text-anchor': 'end', class: 'tick' }, String(t)));
  }
  for (const t of ticks(x0, x1, 5)) {
    svg.append(s('text', { x: X(t), y: pad.top + hgt + 16, 'text-anchor': 'middle', class: 'tick' }, String(t)));
  }
  svg.append(s('line', { x1: pad.left, x2: pad.left + w, y1: pad.top + hgt, y2: pad.top + hgt, class: 'axis' }));
  svg.append(s('line', { x1: pad.left, x2: pad.left, y1: pad.top, y2: pad.top + hgt, class: 'axis' }));
  svg.append(s('text', { x: pad.left + w / 2, y: height - 6, 'text-anchor': 'middle', class: 'axis-label' }, xLabel));
  const d = points.map((p, i) => `${i ? 'L' : 'M'}${X(p.x).toFixed(1)},${Y(p.y).toFixed(1)}`).join(' ');
  svg.append(s('path', { d, class: 'line' }));
  svg.append(s('circle', { cx: X(last.x), cy: Y(last.y), r: 3, class: 'dot' }));
  svg.append(s('text', { x: pad.left + w, y: 18, 'text-anchor': 'end', class: 'chart-value' }, formatNumber(last.y)));
  return svg;
}

/**
 * Horizontal bars for [label, value] pairs with values in [0, 1] (scores).
 * @param {[string, number][]} pairs
 * @param {{ title?: string }} [options]
 */
export function barChart(pairs, { title = 'scores' } = {}) {
  const row = 30;
  const width = 460;
  const labelW = 60;
  const barW = width - labelW - 80;
  const height = pairs.length * row + 8;
  const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', class: 'chart bars', 'aria-label': `${title}: ${pairs.map(([l, v]) => `${l} ${formatNumber(v)}`).join(', ')}` });
  pairs.forEach(([label, value], i) => {
    const y = 4 + i * row;
    const v = Math.max(0, Math.min(1, Number(value) || 0));
    svg.append(s('text', { x: labelW - 8, y: y + 19, 'text-anchor': 'end', class: 'bar-label' }, String(label)));
    svg.append(s('rect', { x: labelW, y: y + 4, width: barW, height: row - 10, class: 'bar-track' }));
    svg.append(s('rect', { x: labelW, y: y + 4, width: Math.max(1, v * barW), height: row - 10, class: i === 0 ? 'bar bar-top' : 'bar' }));
    svg.append(s('text', { x: labelW + barW + 8, y: y + 19, class: 'bar-value' }, v.toFixed(4)));
  });
  return svg;
}
