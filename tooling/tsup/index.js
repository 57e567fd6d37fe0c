// One build for every library: ESM (dist/index.js) + CJS (dist/index.cjs) + d.ts, Node 20.
// No source maps: they would point at src/, which the tarballs do not ship (dist/ is plain,
// unminified JavaScript, so stack traces stay readable without them).
import { defineConfig } from 'tsup';

/**
 * @param {import('tsup').Options & { cli?: string }} [overrides] `cli`: the bin's source; it is
 *   built as ESM only (dist/cli.js, what bin/*.js imports), without .d.ts, so nothing unreachable ships.
 */
export function libraryConfig(overrides = {}) {
  const { cli, ...options } = overrides;
  const library = {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: false,
    target: 'node20',
    platform: 'node',
    splitting: false,
    treeshake: true,
    ...options,
  };
  if (cli === undefined) return defineConfig(library);
  // Both builds run at once: the library's clean keeps the CLI's output.
  return defineConfig([
    { ...library, clean: library.clean === false ? false : ['!cli.js'] },
    { ...library, entry: { cli }, format: ['esm'], dts: false, clean: false },
  ]);
}
