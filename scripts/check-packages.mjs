#!/usr/bin/env node
// Installs the libraries the way an outside team does and checks what it gets: `pnpm pack` of every
// published package, the tarballs installed with plain npm into an empty project (the consumer lists
// nothing else, so @types/node must come from our peer declarations), then
//   - contents: LICENSE and README in every tarball, no file that nothing reaches (package.json
//     entries, bins and what they import), no source map whose sources are not shipped;
//   - footprint of node_modules (all libraries: <= 250 MB but for ffprobe-static; @video-r1/rewards
//     alone must bring nothing);
//   - ESM import and CJS require of every entry point, also with --no-experimental-require-module
//     (Node 20.0-20.18), with the same export names both ways;
//   - every bin: `--version` prints the package version, `--help` into a pipe has no ANSI colours;
//   - each README's first example (```ts/js block; under an "Example" heading when there is one),
//     type-checked and run on its own in an empty directory;
//   - a consumer type-checked under `nodenext` (ESM and CJS files) and `bundler`, strict, without
//     skipLibCheck: with Node's lib only for the packages that expose no TensorFlow.js types, with
//     the DOM lib (which tfjs-core's own .d.ts need) for all;
//   - publint and @arethetypeswrong/cli (profile node16: ESM and CJS consumers, and bundlers).
// Run after `pnpm build`. Exits 1 listing every failure. Options: --keep (leave the temp project).
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

// Issue 17's goal for what the libraries bring into node_modules. ffprobe-static (ffprobe for six
// platforms, 336 MB) is the one package over it: @ffprobe-installer's linux-x64 ffprobe, the only
// one-platform npm build, segfaults on every MPEG-TS file (packages/video-io/README.md). The goal is
// checked without it; the whole install against a ceiling that stops anything from growing.
const FOOTPRINT_GOAL_MB = 250;
const OVER_GOAL = { 'ffprobe-static': 'six platforms of ffprobe; no one-platform npm build reads MPEG-TS' };
const FOOTPRINT_CEILING_MB = Number(process.env.PACKAGE_FOOTPRINT_CEILING_MB ?? 500);
const EXAMPLE_TIMEOUT_MS = 60_000;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const keep = process.argv.includes('--keep');
const run = promisify(execFile);
const failures = [];
let passed = 0;
const started = performance.now();

function ok(message) {
  passed++;
  console.log(`ok   ${message}`);
}
function fail(message) {
  failures.push(message);
  console.log(`FAIL ${message}`);
}
function check(condition, message, why) {
  if (condition) ok(message);
  else fail(`${message}: ${why}`);
}
function section(title) {
  console.log(`\n--- ${title} (${((performance.now() - started) / 1000).toFixed(0)} s)`);
}
/** Runs a command; resolves to { code, stdout, stderr } (never rejects on a non-zero exit). */
async function exec(file, args, options = {}) {
  try {
    const { stdout, stderr } = await run(file, args, { maxBuffer: 64 << 20, encoding: 'utf8', ...options });
    return { code: 0, stdout, stderr };
  } catch (error) {
    return { code: typeof error.code === 'number' ? error.code : 1, stdout: error.stdout ?? '', stderr: error.stderr ?? String(error.message) };
  }
}
function firstLines(text, count = 6) {
  return text.trim().split('\n').slice(0, count).join(' | ');
}
/** Runs `tasks` (functions returning promises) at most `limit` at a time. */
async function pool(tasks, limit = 2) {
  const results = new Array(tasks.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, async () => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await tasks[index]();
    }
  }));
  return results;
}

// ---------------------------------------------------------------------------------------------
const libraries = readdirSync(path.join(root, 'packages'))
  .sort()
  .map((name) => ({ dir: path.join(root, 'packages', name) }))
  .filter(({ dir }) => existsSync(path.join(dir, 'package.json')))
  .map((lib) => ({ ...lib, manifest: JSON.parse(readFileSync(path.join(lib.dir, 'package.json'), 'utf8')) }))
  .filter(({ manifest }) => manifest.private !== true);
const work = mkdtempSync(path.join(tmpdir(), 'video-r1-package-check-'));
const tarballs = path.join(work, 'tarballs');
mkdirSync(tarballs);
console.log(`package check of ${libraries.length} libraries in ${work}`);

section('pack');
for (const lib of libraries) {
  const packed = await exec('pnpm', ['pack', '--pack-destination', tarballs], { cwd: lib.dir });
  const file = readdirSync(tarballs).find((name) => name === `${lib.manifest.name.replace('@', '').replace('/', '-')}-${lib.manifest.version}.tgz`);
  if (packed.code !== 0 || file === undefined) {
    fail(`pnpm pack ${lib.manifest.name}: ${firstLines(packed.stderr || packed.stdout)}`);
    continue;
  }
  lib.tarball = path.join(tarballs, file);
  lib.files = spawnSync('tar', ['tzf', lib.tarball], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).map((f) => f.replace(/^package\//, ''));
  ok(`${lib.manifest.name}: packed ${file} (${lib.files.length} files)`);
}
const packedLibraries = libraries.filter((lib) => lib.tarball !== undefined);

section('install the tarballs with npm into an empty project');
const project = path.join(work, 'consumer');
mkdirSync(project);
const tarballDeps = Object.fromEntries(packedLibraries.map((lib) => [lib.manifest.name, `file:${lib.tarball}`]));
// overrides: our packages' ranges on each other resolve to these tarballs, never to the registry.
writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'outside-team', private: true, type: 'module', dependencies: tarballDeps, overrides: tarballDeps }, null, 2));
const npmEnv = { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
for (const key of Object.keys(npmEnv)) if (/^(npm_config_|pnpm_)/i.test(key) && !/^npm_config_(audit|fund|update_notifier|cache|registry)$/.test(key)) delete npmEnv[key];
const installed = await exec('npm', ['install', '--no-package-lock'], { cwd: project, env: npmEnv });
if (installed.code !== 0) {
  fail(`npm install of the tarballs failed: ${firstLines(installed.stderr, 12)}`);
  report();
}
ok(`npm install of ${packedLibraries.length} tarballs`);

section('tarball contents');
/** Relative specifiers a JS or .d.ts file loads (import/export from, import(), require(), sourceMappingURL). */
function relativeSpecifiers(text) {
  const found = new Set();
  for (const match of text.matchAll(/(?:from\s*|import\s*\(?\s*|require\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g)) found.add(match[1]);
  for (const match of text.matchAll(/\/\/# sourceMappingURL=(\S+)/g)) found.add(`./${match[1]}`);
  return found;
}
function manifestEntries(manifest) {
  const entries = new Set();
  const add = (value) => {
    if (typeof value === 'string') entries.add(path.posix.normalize(value));
    else if (value && typeof value === 'object') for (const inner of Object.values(value)) add(inner);
  };
  add(manifest.main);
  add(manifest.module);
  add(manifest.types);
  add(manifest.typings);
  add(manifest.exports);
  add(typeof manifest.bin === 'string' ? manifest.bin : manifest.bin ?? {});
  return entries;
}
for (const lib of packedLibraries) {
  const name = lib.manifest.name;
  const installedDir = path.join(project, 'node_modules', ...name.split('/'));
  lib.installedDir = installedDir;
  lib.installedManifest = JSON.parse(readFileSync(path.join(installedDir, 'package.json'), 'utf8'));
  const files = new Set(lib.files);
  check(files.has('LICENSE') && existsSync(path.join(lib.dir, 'LICENSE')), `${name}: LICENSE in the tarball and in the package directory (npm pack from there includes it)`, 'packages/<name>/LICENSE is missing');
  check(files.has('README.md'), `${name}: README.md in the tarball`, 'missing');
  // Reachability: from package.json's entries through every relative import.
  const reached = new Set();
  const queue = [...manifestEntries(lib.installedManifest)].filter((entry) => files.has(entry));
  const missingEntries = [...manifestEntries(lib.installedManifest)].filter((entry) => !files.has(entry) && entry !== 'package.json');
  check(missingEntries.length === 0, `${name}: every package.json entry point is in the tarball`, `missing ${missingEntries.join(', ')} (was it built?)`);
  while (queue.length > 0) {
    const file = queue.pop();
    if (reached.has(file)) continue;
    reached.add(file);
    if (!/\.(c|m)?js$|\.d\.(c|m)?ts$/.test(file)) continue;
    for (const specifier of relativeSpecifiers(readFileSync(path.join(installedDir, file), 'utf8'))) {
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
      for (const candidate of [target, `${target}.js`, target.replace(/\.js$/, '.d.ts'), target.replace(/\.cjs$/, '.d.cts')]) {
        if (files.has(candidate)) queue.push(candidate);
      }
    }
  }
  const unreachable = [...files].filter((file) => !reached.has(file) && !['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md'].includes(file));
  check(unreachable.length === 0, `${name}: no file that nothing reaches`, `${unreachable.join(', ')} (not in exports/main/types/bin, imported by none)`);
  // Node's types (NodeJS.*, node: modules, Buffer, AbortSignal, fetch) come from @types/node, which
  // the package must declare: a consumer without it gets "Cannot find namespace 'NodeJS'".
  const dtsText = [...files].filter((file) => /\.d\.(c|m)?ts$/.test(file)).map((file) => readFileSync(path.join(installedDir, file), 'utf8')).join('\n');
  const nodeNames = [...new Set([...dtsText.matchAll(/\bNodeJS\.\w+|from ['"]node:[\w/]+['"]|\bBuffer\b|\bAbortSignal\b|\bfetch\b|reference types="node"/g)].map((m) => m[0]))];
  const declaresNodeTypes = '@types/node' in { ...lib.installedManifest.dependencies, ...lib.installedManifest.peerDependencies };
  check(
    nodeNames.length === 0 || declaresNodeTypes,
    `${name}: ${nodeNames.length === 0 ? 'its .d.ts need no Node types' : `declares @types/node, which its .d.ts need (${nodeNames.slice(0, 4).join(', ')})`}`,
    'add "peerDependencies": { "@types/node": ">=20" }',
  );
  const maps = [...files].filter((file) => file.endsWith('.map'));
  const badMaps = maps.filter((file) => {
    const map = JSON.parse(readFileSync(path.join(installedDir, file), 'utf8'));
    return (map.sources ?? []).some((source) => !files.has(path.posix.normalize(path.posix.join(path.posix.dirname(file), source))));
  });
  check(badMaps.length === 0, `${name}: source maps point to shipped sources (${maps.length} maps)`, `${badMaps.join(', ')} name sources the tarball does not hold`);
}

section('install footprint (linux-x64, npm)');
/** Disk usage like `du`: allocated blocks, each hard link and symlink once. */
function diskUsage(dir) {
  let bytes = 0;
  const stack = [dir];
  while (stack.length > 0) {
    const current = stack.pop();
    const stat = lstatSync(current);
    bytes += stat.blocks * 512;
    if (stat.isDirectory()) for (const entry of readdirSync(current)) stack.push(path.join(current, entry));
  }
  return bytes;
}
const mb = (bytes) => bytes / 1024 / 1024;
const modules = path.join(project, 'node_modules');
const topLevel = readdirSync(modules).flatMap((entry) =>
  entry.startsWith('@') ? readdirSync(path.join(modules, entry)).map((inner) => `${entry}/${inner}`) : entry.startsWith('.') ? [] : [entry],
);
const sizes = topLevel.map((name) => ({ name, bytes: diskUsage(path.join(modules, name)) })).sort((a, b) => b.bytes - a.bytes);
const total = diskUsage(modules);
console.log(`     node_modules ${mb(total).toFixed(0)} MB in ${topLevel.length} packages; largest: ${sizes.slice(0, 6).map((s) => `${s.name} ${mb(s.bytes).toFixed(0)} MB`).join(', ')}`);
const exempt = sizes.filter((s) => s.name in OVER_GOAL);
const withoutExempt = total - exempt.reduce((sum, s) => sum + s.bytes, 0);
check(
  mb(withoutExempt) <= FOOTPRINT_GOAL_MB,
  `all ${packedLibraries.length} libraries install in <= ${FOOTPRINT_GOAL_MB} MB without ${Object.keys(OVER_GOAL).join(', ')} (${mb(withoutExempt).toFixed(0)} MB)`,
  `${mb(withoutExempt).toFixed(0)} MB: look at the largest packages above`,
);
for (const s of exempt) console.log(`     over the goal: ${s.name} ${mb(s.bytes).toFixed(0)} MB (${OVER_GOAL[s.name]})`);
check(mb(total) <= FOOTPRINT_CEILING_MB, `the whole install stays under the ${FOOTPRINT_CEILING_MB} MB ceiling (${mb(total).toFixed(0)} MB)`, `${mb(total).toFixed(0)} MB`);
const rewards = packedLibraries.find((lib) => lib.manifest.name === '@video-r1/rewards');
if (rewards) {
  const alone = path.join(work, 'rewards-alone');
  mkdirSync(alone);
  writeFileSync(path.join(alone, 'package.json'), JSON.stringify({ name: 'rewards-alone', private: true, dependencies: { '@video-r1/rewards': `file:${rewards.tarball}` } }));
  const result = await exec('npm', ['install', '--no-package-lock'], { cwd: alone, env: npmEnv });
  const others = result.code === 0 ? readdirSync(path.join(alone, 'node_modules')).filter((entry) => !entry.startsWith('.') && entry !== '@video-r1') : ['(npm install failed)'];
  check(result.code === 0 && others.length === 0, `@video-r1/rewards alone installs no dependency (${mb(diskUsage(path.join(alone, 'node_modules'))).toFixed(1)} MB)`, `it brings ${others.join(', ')}`);
}

section('ESM import and CJS require of every entry point');
const entryPoints = packedLibraries.flatMap((lib) =>
  Object.keys(lib.installedManifest.exports ?? { '.': null })
    .filter((subpath) => subpath !== './package.json')
    .map((subpath) => (subpath === '.' ? lib.manifest.name : `${lib.manifest.name}/${subpath.slice(2)}`)),
);
// One process per mode: each entry is loaded in turn and its export names reported.
const loader = (mode) => `
const results = {};
for (const specifier of ${JSON.stringify(entryPoints)}) {
  try {
    const loaded = ${mode === 'esm' ? 'await import(specifier)' : 'require(specifier)'};
    results[specifier] = { names: Object.keys(loaded).filter((k) => k !== 'default' && k !== 'module.exports').sort() };
  } catch (error) {
    results[specifier] = { error: String(error && error.code ? error.code + ': ' + error.message : error).split('\\n')[0] };
  }
}
process.stdout.write(JSON.stringify(results));
`;
const modes = [
  { label: 'ESM import', args: ['--input-type=module', '-e', loader('esm')] },
  { label: 'CJS require', args: ['-e', loader('cjs')] },
  { label: 'CJS require --no-experimental-require-module', args: ['--no-experimental-require-module', '-e', loader('cjs')] },
];
const loaded = {};
for (const mode of modes) {
  const result = await exec(process.execPath, mode.args, { cwd: project, env: { ...process.env, VIDEO_R1_BACKEND: 'cpu' } });
  let parsed = {};
  try {
    parsed = JSON.parse(result.stdout);
  } catch {
    fail(`${mode.label}: the loader process died: ${firstLines(result.stderr)}`);
    continue;
  }
  loaded[mode.label] = parsed;
  for (const specifier of entryPoints) {
    const entry = parsed[specifier];
    check(entry && !entry.error, `${mode.label} ${specifier}`, entry?.error ?? 'not reported');
  }
}
for (const specifier of entryPoints) {
  const esm = loaded['ESM import']?.[specifier]?.names;
  const cjs = loaded['CJS require']?.[specifier]?.names;
  if (!esm || !cjs) continue;
  const onlyOne = [...esm.filter((n) => !cjs.includes(n)), ...cjs.filter((n) => !esm.includes(n))];
  check(onlyOne.length === 0, `${specifier}: same ${esm.length} export names from ESM and CJS`, `differ in ${onlyOne.join(', ')}`);
}

section('bins');
const plainEnv = { ...process.env };
for (const key of ['FORCE_COLOR', 'NO_COLOR', 'NODE_DISABLE_COLORS', 'CI', 'TEST']) delete plainEnv[key];
for (const lib of packedLibraries) {
  for (const bin of Object.keys(typeof lib.installedManifest.bin === 'string' ? { [lib.manifest.name.split('/')[1]]: '' } : lib.installedManifest.bin ?? {})) {
    const binPath = path.join(modules, '.bin', bin);
    const version = await exec(binPath, ['--version'], { cwd: project, env: plainEnv, timeout: 30_000 });
    check(version.code === 0 && version.stdout.trim() === lib.manifest.version, `${bin} --version prints ${lib.manifest.version}`, `exit ${version.code}, printed "${firstLines(version.stdout || version.stderr, 2)}"`);
    const help = await exec(binPath, ['--help'], { cwd: project, env: plainEnv, timeout: 30_000 });
    const ansi = (help.stdout + help.stderr).includes('\u001b[');
    check(help.code === 0 && !ansi && help.stdout.length > 0, `${bin} --help into a pipe: usage without ANSI colours`, ansi ? 'ANSI escape sequences in the output' : `exit ${help.code}: ${firstLines(help.stderr)}`);
  }
}

section("type-check a consumer and each README's first example");
const ts = path.join(root, 'node_modules', 'typescript', 'lib', 'typescript.js');
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const { default: typescript } = await import(ts);
const examples = [];
for (const lib of packedLibraries) {
  const readme = readFileSync(path.join(lib.installedDir, 'README.md'), 'utf8');
  // The first ```ts/js block under an "Example" (or "Usage", "Quick start") heading, else the first one.
  const blocks = [...readme.matchAll(/^```(?:ts|typescript|js|javascript|mjs)\s*\n([\s\S]*?)^```/gm)].map((match) => {
    const headings = [...readme.slice(0, match.index).matchAll(/^#{1,6} (.*)$/gm)];
    return { source: match[1], heading: headings.at(-1)?.[1] ?? '' };
  });
  const block = blocks.find((b) => /example|usage|quick start/i.test(b.heading)) ?? blocks[0];
  if (!block) {
    fail(`${lib.manifest.name}: README.md has no \`\`\`ts or \`\`\`js example`);
    continue;
  }
  const base = lib.manifest.name.split('/')[1];
  examples.push({ lib, file: `examples/${base}.mts`, source: block.source });
}
mkdirSync(path.join(project, 'examples'));
for (const example of examples) writeFileSync(path.join(project, example.file), example.source);
// Which entry points expose TensorFlow.js types (directly or through one of ours): those need lib "dom".
const libraryOf = (specifier) => packedLibraries.find((lib) => specifier === lib.manifest.name || specifier.startsWith(`${lib.manifest.name}/`));
const exposesTf = new Map();
function tfTyped(specifier, seen = new Set()) {
  if (exposesTf.has(specifier)) return exposesTf.get(specifier);
  seen.add(specifier);
  const lib = libraryOf(specifier);
  const subpath = specifier === lib.manifest.name ? '.' : `.${specifier.slice(lib.manifest.name.length)}`;
  const types = lib.installedManifest.exports?.[subpath]?.import?.types ?? lib.installedManifest.types;
  const dts = readFileSync(path.join(lib.installedDir, types), 'utf8');
  const ours = [...dts.matchAll(/from ['"](@video-r1\/[a-z-]+(?:\/[a-z-]+)?)['"]/g)].map((m) => m[1]).filter((other) => libraryOf(other) && !seen.has(other));
  const result = /['"]@tensorflow\//.test(dts) || ours.some((other) => tfTyped(other, seen));
  exposesTf.set(specifier, result);
  return result;
}
const nodeOnly = entryPoints.filter((specifier) => !tfTyped(specifier));
console.log(`     without TensorFlow.js types: ${nodeOnly.join(', ')}`);
const consumerSource = (specifiers) => specifiers.map((s, i) => `import * as entry${i} from '${s}';\nexport const use${i}: object = entry${i};\n`).join('');
writeFileSync(path.join(project, 'node-only.mts'), consumerSource(nodeOnly));
writeFileSync(path.join(project, 'node-only.cts'), consumerSource(nodeOnly));
writeFileSync(path.join(project, 'all.mts'), consumerSource(entryPoints));
writeFileSync(path.join(project, 'all.cts'), consumerSource(entryPoints));
writeFileSync(path.join(project, 'bundler-node-only.ts'), consumerSource(nodeOnly));
writeFileSync(path.join(project, 'bundler-all.ts'), consumerSource(entryPoints));
const common = { strict: true, noEmit: true, skipLibCheck: false, target: 'es2022', allowImportingTsExtensions: false };
const programs = [
  { label: `nodenext, lib es2023 (Node types only), ESM + CJS: ${nodeOnly.length} entry points without TensorFlow.js types`, options: { module: 'nodenext', moduleResolution: 'nodenext', lib: ['es2023'], types: ['node'] }, files: ['node-only.mts', 'node-only.cts'] },
  { label: `nodenext, lib es2023 + dom (tfjs-core's .d.ts need it), ESM + CJS: all ${entryPoints.length} entry points and the README examples`, options: { module: 'nodenext', moduleResolution: 'nodenext', lib: ['es2023', 'dom'] }, files: ['all.mts', 'all.cts', ...examples.map((e) => e.file)] },
  { label: `bundler, lib es2023: ${nodeOnly.length} entry points without TensorFlow.js types`, options: { module: 'esnext', moduleResolution: 'bundler', lib: ['es2023'], types: ['node'] }, files: ['bundler-node-only.ts'] },
  { label: `bundler, lib es2023 + dom: all ${entryPoints.length} entry points and the README examples`, options: { module: 'esnext', moduleResolution: 'bundler', lib: ['es2023', 'dom'] }, files: ['bundler-all.ts', ...examples.map((e) => e.file)] },
];
const typeChecks = programs.map((program, index) => async () => {
  const config = `tsconfig.${index}.json`;
  writeFileSync(path.join(project, config), JSON.stringify({ compilerOptions: { ...common, ...program.options }, files: program.files }, null, 2));
  const result = await exec(process.execPath, [tsc, '-p', config, '--pretty', 'false'], { cwd: project });
  return { program, result };
});
for (const { program, result } of await pool(typeChecks, 2)) {
  check(result.code === 0, `tsc ${program.label}`, `\n       ${result.stdout.trim().split('\n').slice(0, 15).join('\n       ')}`);
}

section("run each README's first example on its own");
for (const example of examples) {
  const js = typescript.transpileModule(example.source, { compilerOptions: { module: typescript.ModuleKind.ESNext, target: typescript.ScriptTarget.ES2022, verbatimModuleSyntax: false } }).outputText;
  const file = path.join(project, example.file.replace(/\.mts$/, '.mjs'));
  writeFileSync(file, js);
  const cwd = path.join(project, 'run', example.lib.manifest.name.split('/')[1]);
  mkdirSync(cwd, { recursive: true });
  const t0 = performance.now();
  const result = await exec(process.execPath, [file], { cwd, timeout: EXAMPLE_TIMEOUT_MS, env: { ...process.env, VIDEO_R1_BACKEND: process.env.VIDEO_R1_BACKEND ?? 'cpu' } });
  const seconds = ((performance.now() - t0) / 1000).toFixed(1);
  check(result.code === 0, `${example.lib.manifest.name}: README example runs (${seconds} s)`, `exit ${result.code}: ${firstLines(result.stderr, 8)}`);
}

section('publint and @arethetypeswrong/cli');
const publint = path.join(root, 'node_modules', 'publint', 'src', 'cli.js');
const attw = path.join(root, 'node_modules', '@arethetypeswrong', 'cli', 'dist', 'index.js');
const lints = packedLibraries.flatMap((lib) => [
  async () => ({ label: `publint ${lib.manifest.name}`, result: await exec(process.execPath, [publint, '--strict', '--pack', 'false', lib.installedDir]) }),
  async () => ({ label: `attw ${lib.manifest.name} (profile node16)`, result: await exec(process.execPath, [attw, '--profile', 'node16', '--format', 'ascii', lib.tarball], { env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } }) }),
]);
for (const { label, result } of await pool(lints, 2)) {
  check(result.code === 0, label, `\n       ${(result.stdout + result.stderr).trim().split('\n').slice(-15).join('\n       ')}`);
}

report();

function report() {
  const seconds = ((performance.now() - started) / 1000).toFixed(0);
  if (!keep) rmSync(work, { recursive: true, force: true });
  if (failures.length > 0) {
    console.error(`\npackage check FAILED (${seconds} s): ${failures.length} of ${passed + failures.length} checks:`);
    for (const line of failures) console.error(`  - ${line.split('\n')[0]}`);
    process.exit(1);
  }
  console.log(`\npackage check: all ${passed} checks ok (${seconds} s)`);
  process.exit(0);
}
