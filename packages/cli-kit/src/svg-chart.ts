// Self-contained SVG charts (no script, no external resource) for the HTML reports of the trainer
// and the evaluator: metric curves (`renderChart`), and the evaluator's accuracy bars and
// accuracy-against-frames lines (`barChartSvg`, `lineChartSvg`, styled by the page's CSS classes
// `t`, `ax`, `lb`, `val`, `grid`).

export interface Series {
  name: string;
  /** [x, y]; points with a non-finite y are gaps. */
  points: ReadonlyArray<readonly [number, number | null]>;
  color?: string;
}

export interface ChartSpec {
  id: string;
  title: string;
  xLabel: string;
  series: Series[];
  /**
   * Exponential moving average weight for a smoothed line over the raw one (as the wandb curves of
   * Video-R1's figure); 0 draws the raw line only.
   */
  smoothing?: number;
  /** Fixed y range (e.g. [0, 1] for accuracies); default: the data's range, padded. */
  yDomain?: readonly [number, number];
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];

/** Text for SVG/HTML content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Round tick positions covering [min, max] (the "nice numbers" rule: steps of 1, 2 or 5 × 10^k). */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.1;
    return niceTicks(min - pad, max + pad, count);
  }
  const rough = (max - min) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(rough));
  const fraction = rough / power;
  const step = (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * power;
  const ticks: number[] = [];
  for (let t = Math.floor(min / step) * step; t <= max + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  if (ticks[ticks.length - 1]! < max) ticks.push(Number((ticks[ticks.length - 1]! + step).toPrecision(12)));
  return ticks;
}

export function formatTick(value: number): string {
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 1e4 || abs < 1e-3) return value.toExponential(0);
  return Number(value.toPrecision(4)).toString();
}

/** Debiased EMA (as TensorBoard's smoothing), restarting after gaps. */
export function smooth(points: Series['points'], weight: number): Array<[number, number | null]> {
  let last = 0;
  let n = 0;
  return points.map(([x, y]) => {
    if (y === null || !Number.isFinite(y)) {
      n = 0;
      last = 0;
      return [x, null];
    }
    last = last * weight + (1 - weight) * y;
    n += 1;
    return [x, last / (1 - weight ** n)];
  });
}

function pathOf(points: Series['points'], sx: (x: number) => number, sy: (y: number) => number): string {
  let d = '';
  let pen = false;
  for (const [x, y] of points) {
    if (y === null || !Number.isFinite(y)) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`;
    pen = true;
  }
  return d;
}

export function renderChart(spec: ChartSpec, size: { width: number; height: number } = { width: 480, height: 300 }): string {
  const { width, height } = size;
  const margin = { top: 34, right: 16, bottom: 42, left: 56 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const finite = spec.series.flatMap((s) => s.points.filter((p): p is readonly [number, number] => p[1] !== null && Number.isFinite(p[1])));
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="${spec.id}-title" font-family="DejaVu Sans, Liberation Sans, Arial, sans-serif">`,
    `<title id="${spec.id}-title">${escapeXml(spec.title)}</title>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="14" font-weight="600" fill="#222">${escapeXml(spec.title)}</text>`,
  ];
  if (finite.length === 0) {
    parts.push(`<text x="${width / 2}" y="${height / 2}" text-anchor="middle" font-size="12" fill="#888">no data</text></svg>`);
    return parts.join('');
  }
  const xs = finite.map((p) => p[0]);
  const ys = finite.map((p) => p[1]);
  const xTicks = niceTicks(Math.min(...xs), Math.max(...xs), 6);
  const yTicks = spec.yDomain ? niceTicks(spec.yDomain[0], spec.yDomain[1], 5) : niceTicks(Math.min(...ys), Math.max(...ys), 5);
  const [x0, x1] = [xTicks[0]!, xTicks[xTicks.length - 1]!];
  const [y0, y1] = [yTicks[0]!, yTicks[yTicks.length - 1]!];
  const sx = (x: number) => margin.left + ((x - x0) / (x1 - x0 || 1)) * plotW;
  const sy = (y: number) => margin.top + plotH - ((y - y0) / (y1 - y0 || 1)) * plotH;

  parts.push(`<g font-size="11" fill="#555">`);
  for (const t of yTicks) {
    parts.push(
      `<line x1="${margin.left}" x2="${margin.left + plotW}" y1="${sy(t).toFixed(1)}" y2="${sy(t).toFixed(1)}" stroke="#e6e6e6"/>`,
      `<text x="${margin.left - 6}" y="${(sy(t) + 4).toFixed(1)}" text-anchor="end">${formatTick(t)}</text>`,
    );
  }
  for (const t of xTicks) {
    parts.push(
      `<line x1="${sx(t).toFixed(1)}" x2="${sx(t).toFixed(1)}" y1="${margin.top}" y2="${margin.top + plotH}" stroke="#f0f0f0"/>`,
      `<text x="${sx(t).toFixed(1)}" y="${margin.top + plotH + 16}" text-anchor="middle">${formatTick(t)}</text>`,
    );
  }
  parts.push(
    `<rect x="${margin.left}" y="${margin.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#999"/>`,
    `<text x="${margin.left + plotW / 2}" y="${height - 8}" text-anchor="middle" font-size="12" fill="#333">${escapeXml(spec.xLabel)}</text>`,
    `</g>`,
  );

  const smoothing = spec.smoothing ?? 0;
  spec.series.forEach((series, i) => {
    const color = series.color ?? PALETTE[i % PALETTE.length]!;
    const raw = pathOf(series.points, sx, sy);
    if (smoothing > 0) {
      parts.push(`<path d="${raw}" fill="none" stroke="${color}" stroke-opacity="0.25" stroke-width="1"/>`);
      parts.push(`<path d="${pathOf(smooth(series.points, smoothing), sx, sy)}" fill="none" stroke="${color}" stroke-width="2"/>`);
    } else {
      parts.push(`<path d="${raw}" fill="none" stroke="${color}" stroke-width="2"/>`);
      if (series.points.length <= 40) {
        for (const [x, y] of series.points) {
          if (y !== null && Number.isFinite(y)) parts.push(`<circle cx="${sx(x).toFixed(1)}" cy="${sy(y).toFixed(1)}" r="2.5" fill="${color}"/>`);
        }
      }
    }
  });
  if (spec.series.length > 1) {
    spec.series.forEach((series, i) => {
      const color = series.color ?? PALETTE[i % PALETTE.length]!;
      const y = margin.top + 12 + i * 15;
      parts.push(
        `<line x1="${margin.left + 8}" x2="${margin.left + 26}" y1="${y - 4}" y2="${y - 4}" stroke="${color}" stroke-width="2"/>`,
        `<text x="${margin.left + 30}" y="${y}" font-size="11" fill="#333">${escapeXml(series.name)}</text>`,
      );
    });
  }
  parts.push('</svg>');
  return parts.join('');
}

// ---------------------------------------------------------------------------------------------
// Accuracy charts of the evaluation report

/** Colours of the evaluation report's bars and lines. */
const PAGE_PALETTE = ['#2563eb', '#d97706', '#059669', '#dc2626', '#7c3aed', '#0891b2', '#db2777', '#65a30d'];

const oneDecimal = (x: number): string => x.toFixed(1);

export interface BarSeries {
  label: string;
  values: (number | null)[];
}

/** Horizontal grouped bars: one row per label, one bar per series (frame budget), 0–100 %. */
export function barChartSvg(title: string, labels: readonly string[], series: readonly BarSeries[]): string {
  const rowHeight = Math.max(18, series.length * 12 + 8);
  const labelWidth = Math.min(260, Math.max(90, ...labels.map((l) => l.length * 7 + 12)));
  const plotWidth = 440;
  const top = 44;
  const height = top + labels.length * rowHeight + 34;
  const width = labelWidth + plotWidth + 60;
  const x = (v: number): number => labelWidth + (v / 100) * plotWidth;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${escapeXml(title)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">`,
    `<text x="8" y="18" class="t">${escapeXml(title)}</text>`,
  ];
  for (let tick = 0; tick <= 100; tick += 25) {
    parts.push(`<line x1="${x(tick)}" y1="${top - 6}" x2="${x(tick)}" y2="${height - 28}" class="grid"/>`, `<text x="${x(tick)}" y="${height - 12}" class="ax" text-anchor="middle">${tick}%</text>`);
  }
  series.forEach((s, k) => {
    parts.push(`<rect x="${labelWidth + k * 110}" y="26" width="10" height="10" fill="${PAGE_PALETTE[k % PALETTE.length]}"/>`, `<text x="${labelWidth + k * 110 + 14}" y="35" class="ax">${escapeXml(s.label)}</text>`);
  });
  const barHeight = Math.max(6, Math.floor((rowHeight - 6) / Math.max(1, series.length)));
  labels.forEach((label, i) => {
    const y0 = top + i * rowHeight;
    parts.push(`<text x="${labelWidth - 6}" y="${y0 + rowHeight / 2 + 4}" class="lb" text-anchor="end">${escapeXml(label)}</text>`);
    series.forEach((s, k) => {
      const v = s.values[i];
      if (v === null || v === undefined) return;
      const y = y0 + 3 + k * barHeight;
      parts.push(
        `<rect x="${labelWidth}" y="${y}" width="${Math.max(0.5, x(v) - labelWidth).toFixed(1)}" height="${barHeight - 1}" fill="${PAGE_PALETTE[k % PALETTE.length]}"><title>${escapeXml(`${label}, ${s.label}: ${oneDecimal(v)}%`)}</title></rect>`,
        `<text x="${(x(v) + 4).toFixed(1)}" y="${y + barHeight - 2}" class="val">${oneDecimal(v)}</text>`,
      );
    });
  });
  parts.push('</svg>');
  return parts.join('');
}

export interface LineSeries {
  label: string;
  points: { x: number; y: number }[];
}

/** Lines of accuracy against frame budget (log2 x axis), one line per benchmark. */
export function lineChartSvg(title: string, xs: readonly number[], series: readonly LineSeries[]): string {
  const width = 640;
  const height = 340;
  const left = 56;
  const right = 170;
  const top = 36;
  const bottom = 48;
  const logs = xs.map((v) => Math.log2(v));
  const minX = Math.min(...logs);
  const maxX = Math.max(...logs);
  const allY = series.flatMap((s) => s.points.map((p) => p.y));
  const yMax = Math.min(100, Math.ceil((Math.max(10, ...allY) + 5) / 10) * 10);
  const px = (v: number): number => (maxX === minX ? left + (width - left - right) / 2 : left + ((Math.log2(v) - minX) / (maxX - minX)) * (width - left - right));
  const py = (v: number): number => top + (1 - v / yMax) * (height - top - bottom);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${escapeXml(title)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">`,
    `<text x="8" y="20" class="t">${escapeXml(title)}</text>`,
  ];
  for (let tick = 0; tick <= yMax; tick += yMax <= 50 ? 10 : 20) {
    parts.push(`<line x1="${left}" y1="${py(tick)}" x2="${width - right}" y2="${py(tick)}" class="grid"/>`, `<text x="${left - 6}" y="${py(tick) + 4}" class="ax" text-anchor="end">${tick}%</text>`);
  }
  for (const v of xs) parts.push(`<text x="${px(v)}" y="${height - bottom + 18}" class="ax" text-anchor="middle">${v}</text>`);
  const axisLabel = xs.length === 1 ? 'frames (one budget evaluated; --frames 16,32,64 draws the curve)' : 'frames';
  parts.push(`<text x="${(left + width - right) / 2}" y="${height - 10}" class="ax" text-anchor="middle">${escapeXml(axisLabel)}</text>`);
  series.forEach((s, k) => {
    const color = PAGE_PALETTE[k % PALETTE.length]!;
    const pts = s.points.map((p) => `${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`).join(' ');
    if (s.points.length > 1) parts.push(`<polyline points="${pts}" fill="none" stroke="${color}" stroke-width="2.5"/>`);
    for (const p of s.points) {
      parts.push(
        `<circle cx="${px(p.x).toFixed(1)}" cy="${py(p.y).toFixed(1)}" r="4" fill="${color}"><title>${escapeXml(`${s.label}, ${p.x} frames: ${oneDecimal(p.y)}%`)}</title></circle>`,
        `<text x="${(px(p.x) + 6).toFixed(1)}" y="${(py(p.y) - 6).toFixed(1)}" class="val">${oneDecimal(p.y)}</text>`,
      );
    }
    const ly = top + 8 + k * 20;
    parts.push(`<line x1="${width - right + 16}" y1="${ly}" x2="${width - right + 36}" y2="${ly}" stroke="${color}" stroke-width="3"/>`, `<text x="${width - right + 42}" y="${ly + 4}" class="lb">${escapeXml(s.label)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}
