// The completion mask TRL builds from `is_eos`, from a model's EOS fact alone.

/**
 * 1 for every real completion token (up to and including the first EOS), 0 after it and on
 * padding, as `length` columns (default: the longest completion). A row with no tokens is all 0.
 */
export function completionMask(completions: readonly (readonly number[])[], eosId: number, length?: number): number[][] {
  const columns = length ?? Math.max(0, ...completions.map((c) => c.length));
  return completions.map((c) => {
    const row = new Array<number>(columns).fill(0);
    for (let t = 0; t < Math.min(columns, c.length); t++) {
      row[t] = 1;
      if (c[t] === eosId) break;
    }
    return row;
  });
}
