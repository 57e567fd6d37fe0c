/**
 * JSON numbers beyond ±1.8e308 (`1e400`) parse to ±Infinity, which JSON.stringify writes as
 * `null` — so a schema message would say "got null" about a number the user did write. Found
 * right after parsing, they are reported as what they are.
 */
export function outOfRangeNumbers(value: unknown, field = ''): string[] {
  if (typeof value === 'number') {
    return Number.isFinite(value) ? [] : [`${field || '(top level)'}: the number is out of range (beyond ±1.8e308 it reads as ${value > 0 ? '' : '-'}Infinity); write a finite number`];
  }
  if (Array.isArray(value)) return value.flatMap((item, i) => outOfRangeNumbers(item, `${field}[${i}]`));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => outOfRangeNumbers(item, field ? `${field}.${key}` : key));
  }
  return [];
}
