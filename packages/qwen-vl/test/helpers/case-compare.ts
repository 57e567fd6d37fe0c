// Compares one runner output with a case's `expect` under its `tol`, as the vectors' check.mjs
// does: numbers / arrays per element within atol + rtol·|exp| (exact without a tol), expected
// nulls skipped, objects (grad_norms, grads) key by key with the parent's tol, `atol_rel_max`
// raising atol to r · max|expected tensor|.
import { readFileSync } from 'node:fs';
import path from 'node:path';

type Tol = { rtol?: number; atol?: number; atol_rel_max?: number };

const files = new Map<string, Buffer>();

function flat(value: unknown, dir: string): { shape: number[] | null; data: number[] } {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const v = value as { bin?: string; offset?: number; dtype?: string; shape: number[]; data?: (number | null)[] };
    if (v.bin !== undefined) {
      const file = path.resolve(dir, v.bin);
      let buf = files.get(file);
      if (buf === undefined) {
        buf = readFileSync(file);
        files.set(file, buf);
      }
      const n = v.shape.reduce((a, b) => a * b, 1);
      const off = v.offset ?? 0;
      const data: number[] = [];
      for (let i = 0; i < n; i++) {
        data.push(v.dtype === 'float32' ? buf.readFloatLE(off + 4 * i) : v.dtype === 'int32' ? buf.readInt32LE(off + 4 * i) : (buf[off + i] as number));
      }
      return { shape: [...v.shape], data };
    }
    return { shape: [...v.shape], data: (v.data ?? []).map((x) => (x === null ? NaN : x)) };
  }
  const data: number[] = [];
  const shape: number[] = [];
  let ragged = false;
  const walk = (x: unknown, depth: number): void => {
    if (Array.isArray(x)) {
      if (shape.length <= depth) shape.push(x.length);
      else if (shape[depth] !== x.length) ragged = true;
      for (const y of x) walk(y, depth + 1);
    } else data.push(x === null ? NaN : (x as number));
  };
  walk(value, 0);
  return { shape: ragged ? null : shape, data };
}

const isArrayLike = (v: unknown): boolean => Array.isArray(v) || (v !== null && typeof v === 'object' && 'shape' in v);

export interface Comparison {
  ok: boolean;
  why: string;
  /** Largest err / allowed over the compared elements. */
  worst: number;
}

export function compareValue(exp: unknown, out: unknown, tol: Tol | undefined, expDir: string, outDir: string): Comparison {
  if (exp === null || exp === undefined) {
    const ok = out === null || out === undefined || (Array.isArray(out) && out.length === 0);
    return { ok, why: ok ? '' : 'expected null', worst: 0 };
  }
  if (out === null || out === undefined) return { ok: false, why: 'missing output', worst: Infinity };
  if (typeof exp === 'number' || isArrayLike(exp)) {
    const e = typeof exp === 'number' ? { shape: [], data: [exp] } : flat(exp, expDir);
    const o = typeof out === 'number' ? { shape: [], data: [out] } : flat(out, outDir);
    if (e.data.length !== o.data.length) return { ok: false, why: `size ${o.data.length} != ${e.data.length}`, worst: Infinity };
    if (e.shape && o.shape && e.shape.join() !== o.shape.join()) return { ok: false, why: `shape [${o.shape}] != [${e.shape}]`, worst: Infinity };
    let atol = tol?.atol ?? 0;
    const rtol = tol?.rtol ?? 0;
    if (tol?.atol_rel_max) atol = Math.max(atol, tol.atol_rel_max * Math.max(0, ...e.data.filter(Number.isFinite).map(Math.abs)));
    let worst = 0;
    for (let i = 0; i < e.data.length; i++) {
      const x = e.data[i] as number;
      if (Number.isNaN(x)) continue;
      const err = Math.abs((o.data[i] as number) - x);
      if (tol === undefined) {
        if (err !== 0) return { ok: false, why: `element ${i}: ${o.data[i]} != ${x}`, worst: Infinity };
        continue;
      }
      const allowed = atol + rtol * Math.abs(x);
      const ratio = allowed > 0 ? err / allowed : err === 0 ? 0 : Infinity;
      if (!(ratio <= 1)) return { ok: false, why: `element ${i}: ${o.data[i]} vs ${x} (err ${err}, allowed ${allowed})`, worst: ratio };
      worst = Math.max(worst, ratio);
    }
    return { ok: true, why: '', worst };
  }
  if (typeof exp === 'object') {
    if (out === null || typeof out !== 'object') return { ok: false, why: 'expected an object', worst: Infinity };
    let worst = 0;
    for (const [k, v] of Object.entries(exp as Record<string, unknown>)) {
      const r = compareValue(v, (out as Record<string, unknown>)[k], tol, expDir, outDir);
      if (!r.ok) return { ...r, why: `[${k}] ${r.why}` };
      worst = Math.max(worst, r.worst);
    }
    return { ok: true, why: '', worst };
  }
  return { ok: exp === out, why: exp === out ? '' : `${JSON.stringify(out)} != ${JSON.stringify(exp)}`, worst: 0 };
}
