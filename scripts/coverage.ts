// Runs the unit suite with Node's test coverage and enforces a line-coverage
// floor on src/. Node 20 has no coverage thresholds (and no include/exclude
// globs), so this reads the lcov report itself: LF/LH per SF, src/ only.
// Files under src/ that no test loaded are counted as wholly uncovered, unless
// they hold only types (nothing left after esbuild strips them).
//
// Only the test processes themselves are measured: a preload removes
// NODE_V8_COVERAGE from each test process's environment once V8 has read it,
// so the processes the tests spawn (dist/*.js, runuser children) write no
// coverage. Node 20 drops the whole report when any process's source-map
// cache holds a file whose map cannot be loaded (dist/node-liblzma/*.js name
// .map files that are not shipped: "Cannot read properties of null (reading
// 'sourcesContent')"), and those processes do not run src/ in-process anyway.
// Usage: node --import tsx scripts/coverage.ts [--min 85] [test files...]
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { transformSync } from 'esbuild';

const ROOT = resolve(import.meta.dirname, '..');
const DEFAULT_MIN = 85;
/** Runs in every test process before the tests: V8 has its coverage directory by then. */
const PRELOAD = 'data:text/javascript,delete process.env.NODE_V8_COVERAGE';

export interface FileCoverage {
  /** Path relative to the repository, '/'-separated (src/core/cache/key.ts). */
  file: string;
  lines: number;
  hit: number;
  /** No test loaded the file; every line counts as uncovered. */
  unloaded?: boolean;
}

/**
 * Line coverage per source file from lcov text. A file reported more than once
 * is merged line by line (DA records); otherwise its LF/LH are used as given.
 */
export function parseLcov(text: string, root: string = ROOT): FileCoverage[] {
  const records = new Map<string, Array<{ lf: number; lh: number; da: Map<number, number> }>>();
  let cur: { sf: string; lf: number; lh: number; da: Map<number, number> } | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('SF:')) {
      const sf = line.slice(3);
      cur = { sf: relative(root, resolve(root, sf)).split(sep).join('/'), lf: 0, lh: 0, da: new Map() };
    } else if (cur === undefined) {
      continue;
    } else if (line.startsWith('LF:')) {
      cur.lf = Number(line.slice(3));
    } else if (line.startsWith('LH:')) {
      cur.lh = Number(line.slice(3));
    } else if (line.startsWith('DA:')) {
      const [ln, hits] = line.slice(3).split(',').map(Number);
      cur.da.set(ln, Math.max(hits, cur.da.get(ln) ?? 0));
    } else if (line === 'end_of_record') {
      const list = records.get(cur.sf) ?? [];
      list.push({ lf: cur.lf, lh: cur.lh, da: cur.da });
      records.set(cur.sf, list);
      cur = undefined;
    }
  }
  const out: FileCoverage[] = [];
  for (const [file, list] of records) {
    if (list.length === 1) {
      out.push({ file, lines: list[0].lf, hit: list[0].lh });
      continue;
    }
    const da = new Map<number, number>();
    for (const r of list) for (const [ln, hits] of r.da) da.set(ln, Math.max(hits, da.get(ln) ?? 0));
    out.push({ file, lines: da.size, hit: [...da.values()].filter((h) => h > 0).length });
  }
  return out;
}

/** Every .ts file under dir, relative to root. */
function sourceFiles(dir: string, root: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => relative(root, join(e.parentPath, e.name)).split(sep).join('/'))
    .sort();
}

/** True when the file compiles to no code (interfaces and types only). */
function typesOnly(text: string): boolean {
  return transformSync(text, { loader: 'ts', format: 'esm' }).code.trim() === '';
}

/**
 * The src/ files only, plus the src/ files with code that no test loaded
 * (counted as uncovered, every line, as Node counts a file's lines).
 */
export function srcCoverage(all: FileCoverage[], root: string = ROOT): FileCoverage[] {
  const src = all.filter((f) => f.file.startsWith('src/'));
  const seen = new Set(src.map((f) => f.file));
  for (const file of sourceFiles(join(root, 'src'), root)) {
    if (seen.has(file)) continue;
    const text = readFileSync(join(root, file), 'utf8');
    if (typesOnly(text)) continue;
    const lines = text.endsWith('\n') ? text.split('\n').length - 1 : text.split('\n').length;
    src.push({ file, lines, hit: 0, unloaded: true });
  }
  return src.sort((a, b) => a.file.localeCompare(b.file));
}

const pct = (hit: number, lines: number): number => (lines === 0 ? 100 : (100 * hit) / lines);

/** The per-folder table, the total, and the least covered files, as text. */
export function report(files: FileCoverage[], min: number): { text: string; total: number } {
  const folders = new Map<string, { lines: number; hit: number; files: number }>();
  for (const f of files) {
    const d = dirname(f.file);
    const agg = folders.get(d) ?? { lines: 0, hit: 0, files: 0 };
    agg.lines += f.lines;
    agg.hit += f.hit;
    agg.files += 1;
    folders.set(d, agg);
  }
  const lines = files.reduce((s, f) => s + f.lines, 0);
  const hit = files.reduce((s, f) => s + f.hit, 0);
  const total = pct(hit, lines);
  const width = Math.max(...[...folders.keys()].map((k) => k.length), 'total'.length);
  const row = (name: string, h: number, l: number, n: number | string): string =>
    `${name.padEnd(width)}  ${String(n).padStart(5)}  ${String(h).padStart(6)} / ${String(l).padEnd(6)}  ${pct(h, l).toFixed(2).padStart(6)} %`;
  const out = ['', 'line coverage of src/ (lcov LF/LH)', `${'folder'.padEnd(width)}  files  ${'hit'.padStart(6)} / lines       %`];
  for (const [name, a] of [...folders].sort(([x], [y]) => x.localeCompare(y))) out.push(row(name, a.hit, a.lines, a.files));
  out.push(row('total', hit, lines, files.length));
  const unloaded = files.filter((f) => f.unloaded);
  if (unloaded.length > 0) out.push('', `not loaded by any unit test (counted as uncovered): ${unloaded.map((f) => f.file).join(', ')}`);
  out.push('', 'least covered files (by uncovered lines):');
  for (const f of [...files].sort((a, b) => (b.lines - b.hit) - (a.lines - a.hit)).slice(0, 10)) {
    out.push(`  ${String(f.lines - f.hit).padStart(5)} uncovered  ${pct(f.hit, f.lines).toFixed(1).padStart(5)} %  ${f.file}${f.unloaded ? ' (not loaded)' : ''}`);
  }
  out.push('', `total line coverage of src/: ${total.toFixed(2)} % (minimum ${min} %)`);
  return { text: out.join('\n'), total };
}

function run(cmd: string, args: string[]): Promise<number> {
  return new Promise((res, rej) => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', rej);
    child.on('close', (code, signal) => res(code ?? (signal ? 1 : 0)));
  });
}

async function main(argv: string[]): Promise<number> {
  let min = DEFAULT_MIN;
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--min') min = Number(argv[++i]);
    else files.push(argv[i]);
  }
  if (!Number.isFinite(min)) throw new Error('--min needs a number');
  // The unit suite and the tools suite (which .ci/run installs rpm, cpio and dpkg for) together.
  const suites = ['test/unit', 'test/tools'];
  const tests = files.length > 0 ? files : suites.flatMap((d) => readdirSync(join(ROOT, d)).filter((f) => f.endsWith('.test.ts')).sort().map((f) => `${d}/${f}`));
  const tmp = mkdtempSync(join(tmpdir(), 'kheaders-coverage-'));
  try {
    const lcov = join(tmp, 'lcov.info');
    const code = await run(process.execPath, [
      '--import', 'tsx', '--import', PRELOAD, '--test', '--experimental-test-coverage', '--test-concurrency=2',
      '--test-reporter=spec', '--test-reporter-destination=stdout',
      '--test-reporter=lcov', `--test-reporter-destination=${lcov}`,
      ...tests,
    ]);
    let text: string;
    try {
      text = readFileSync(lcov, 'utf8');
    } catch {
      console.error(`no lcov report was written (test run exited ${code})`);
      return 1;
    }
    const measured = parseLcov(text).filter((f) => f.file.startsWith('src/'));
    if (measured.length === 0) {
      console.error(`the lcov report holds no src/ files (test run exited ${code}); see the coverage warning above`);
      return 1;
    }
    const { text: table, total } = report(srcCoverage(measured), min);
    console.log(table);
    if (code !== 0) {
      console.error(`\nFAIL: the tests failed (exit ${code})`);
      return 1;
    }
    if (total < min) {
      console.error(`\nFAIL: line coverage ${total.toFixed(2)} % is under ${min} %`);
      return 1;
    }
    return 0;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  process.exitCode = await main(process.argv.slice(2));
}
