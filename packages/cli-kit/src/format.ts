/** `0.4531` → `45.3` (`45.3%` with `sign`); `–` for null, undefined and NaN. One decimal, as papers print accuracies. */
export function formatPercent(value: number | null | undefined, options: { sign?: boolean; digits?: number } = {}): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  return `${(value * 100).toFixed(options.digits ?? 1)}${options.sign ? '%' : ''}`;
}

/** Seconds as people read them: `42 s`, `3 min 05 s`, `2 h 07 min`; `–` when unknown (negative or not finite). */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h} h ${String(m).padStart(2, '0')} min`;
  if (m > 0) return `${m} min ${String(s).padStart(2, '0')} s`;
  return `${s} s`;
}

/** `20250102-030405`: a local date and time as a sortable directory-name part (run and results directories). */
export function formatTimestamp(date: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${date.getFullYear()}${pad(date.getMonth() + 1)}${pad(date.getDate())}-${pad(date.getHours())}${pad(date.getMinutes())}${pad(date.getSeconds())}`;
}
