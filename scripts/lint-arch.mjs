#!/usr/bin/env node
// npm run lint:arch: checks the import rules of src/ (.dependency-cruiser.cjs) and, from the same cruise,
// the cycles between src/'s top folders, which dependency-cruiser cannot express as a rule. Exits 1 and
// prints every violation; exits 0 when there is none.
//
// npm run lint:arch -- --metrics: prints three counts and exits 0 (docs/architecture.md, "Layers and
// the rules that keep them"):
//   (a) folders of src/ in an import cycle (type-only imports included), "N of M";
//   (b) folders of src/ whose non-test code writes a ticket's `state` column;
//   (c) lines in src/ and test/ that cite documents outside the repository, or work items.
// --graph prints the folder graph ("folder -> folder", arrows inside a cycle marked).
//
// It works on the current directory, so a test can run it on a copy of the tree.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = process.cwd();
const ENTRY = '(entry)';

/** The dependency-cruiser CLI of this repository's node_modules (found from this script, not the cwd). */
function depcruiseBin() {
  const main = fileURLToPath(import.meta.resolve('dependency-cruiser'));
  let dir = dirname(main);
  while (!statSafe(join(dir, 'package.json'))) dir = dirname(dir);
  return join(dir, 'bin', 'dependency-cruiser.mjs');
}

function statSafe(path) {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

/** The cruise of src/ with the repository's config, as dependency-cruiser's JSON result. */
function cruise() {
  const args = [depcruiseBin(), '--config', '.dependency-cruiser.cjs', '--output-type', 'json', 'src'];
  let out;
  try {
    out = execFileSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  } catch (error) {
    // depcruise exits non-zero when a rule is broken, and still writes the whole result.
    out = error.stdout;
    if (!out) throw error;
  }
  return JSON.parse(out);
}

/** The top folder under src/ of a module; files directly in src/ are the entry points. */
function folderOf(path) {
  const match = /^src\/([^/]+)\//.exec(path);
  if (match) return match[1];
  return /^src\/[^/]+$/.test(path) ? ENTRY : null;
}

/** Folder → folder edges, each with the module imports behind it. */
function folderGraph(result) {
  const folders = new Set();
  const edges = new Map();
  for (const module of result.modules) {
    const from = folderOf(module.source);
    if (!from) continue;
    folders.add(from);
    for (const dependency of module.dependencies) {
      const to = folderOf(dependency.resolved);
      if (!to || to === from) continue;
      folders.add(to);
      const key = `${from} -> ${to}`;
      if (!edges.has(key)) edges.set(key, { from, to, imports: [] });
      const typeOnly = dependency.dependencyTypes.includes('type-only') ? ' (type-only)' : '';
      edges.get(key).imports.push(`${module.source} -> ${dependency.resolved}${typeOnly}`);
    }
  }
  return { folders: [...folders].sort(), edges: [...edges.values()].sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to)) };
}

/** Strongly connected components (Tarjan). */
function stronglyConnected(nodes, edges) {
  const next = new Map(nodes.map((n) => [n, []]));
  for (const { from, to } of edges) next.get(from).push(to);
  let index = 0;
  const indices = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const components = [];
  const visit = (v) => {
    indices.set(v, index);
    low.set(v, index);
    index += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v)) {
      if (!indices.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v), indices.get(w)));
      }
    }
    if (low.get(v) === indices.get(v)) {
      const component = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      components.push(component.sort());
    }
  };
  for (const n of nodes) if (!indices.has(n)) visit(n);
  return components;
}

/** Every folder cycle: the components of more than one folder, with the arrows inside each. */
function folderCycles(graph) {
  return stronglyConnected(graph.folders, graph.edges)
    .filter((component) => component.length > 1)
    .map((component) => ({
      folders: component,
      arrows: graph.edges.filter((e) => component.includes(e.from) && component.includes(e.to)),
    }));
}

function printGraph(graph, cycles) {
  const inCycle = new Set(cycles.flatMap((c) => c.arrows.map((a) => `${a.from} -> ${a.to}`)));
  for (const edge of graph.edges) {
    const key = `${edge.from} -> ${edge.to}`;
    console.log(`${key}${inCycle.has(key) ? '   [CYCLE]' : ''}   (${edge.imports.length} import${edge.imports.length === 1 ? '' : 's'})`);
  }
}

function* filesUnder(dir) {
  if (!statSafe(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* filesUnder(path);
    else if (entry.isFile() && /\.(ts|mts|cts|js|mjs)$/.test(entry.name)) yield path;
  }
}

const posix = (path) => relative(ROOT, path).split(sep).join('/');
const isTest = (path) => /\.(spec|e2e-spec)\.ts$/.test(path) || /\.fixtures\.ts$/.test(path);

/**
 * Writing a ticket's `state` column, as metric (b) counts it. A non-test file under src/ writes it when
 * it does any of:
 *  - inserts ticket rows (every row carries a state): TypeORM `insert`/`save`/`insertRows`/`.into` of the
 *    `Ticket` entity, or SQL `INSERT INTO tickets`, or an insert helper given the table name 'tickets';
 *  - updates the `Ticket` entity or the `tickets` table with a SET that names `state`, or with a SET
 *    built elsewhere (a variable, a spread), which may carry one: the writer applies the changes the
 *    pure workflow decided that way.
 * An update whose SET is an object literal without `state` (the assessment's summary) does not count.
 */
const INSERTS = [
  /\binsertRows\(\s*\w+\s*,\s*Ticket\b/,
  /\.(insert|save)\(\s*Ticket\b/,
  /\.into\(\s*Ticket\b/,
  /INSERT\s+INTO\s+[^\n]*(["'`\s]|\b)tickets(["'`\s]|\b)(?!_)/i,
  /\binsert\w*\(\s*['"`]tickets['"`]/i,
];
const UPDATES = [/\.update\(\s*Ticket\s*\)/g, /\.update\(\s*Ticket\s*,/g, /UPDATE\s+["`]?tickets["`]?\s+SET/gi];

/** The SET argument after an update: the text of `.set(...)` or of update(Ticket, where, changes). */
function setClauseWritesState(text, at) {
  const rest = text.slice(at, at + 2000);
  if (/^UPDATE/i.test(rest)) return /\bstate\s*=/.test(rest.split(/\bWHERE\b/i)[0]);
  const call = /\.set\(\s*/.exec(rest);
  let start;
  if (/^\.update\(\s*Ticket\s*,/.test(rest)) {
    // em.update(Ticket, criteria, changes): the third argument.
    start = skipArgument(rest, rest.indexOf(',') + 1);
    start = rest.slice(start).search(/\S/) + start;
  } else if (call) {
    start = call.index + call[0].length;
  } else {
    return true; // an update whose changes are not visible here
  }
  if (rest[start] !== '{') return true; // a variable or call: may carry a state
  const literal = rest.slice(start, skipArgument(rest, start));
  return /(^|[{,\s])(state|\.\.\.)/.test(literal);
}

/** The index just after the argument (balanced brackets) starting at `i`. */
function skipArgument(text, i) {
  let depth = 0;
  for (; i < text.length; i += 1) {
    const c = text[i];
    if ('({['.includes(c)) depth += 1;
    else if (')}]'.includes(c)) {
      if (depth === 0) return i;
      depth -= 1;
    } else if (c === ',' && depth === 0) return i;
  }
  return i;
}

function writesTicketState(text) {
  if (INSERTS.some((re) => re.test(text))) return true;
  for (const re of UPDATES) {
    for (const match of text.matchAll(re)) if (setClauseWritesState(text, match.index)) return true;
  }
  return false;
}

/**
 * Folders left out of metric (b), each with its reason, printed beside the count. Both fill a database
 * of their own with generated rows in bulk and never change a ticket of a running desk: src/seed is
 * `npm run seed:bulk`'s generator of finished histories, src/bench stores the backlog `npm run bench`
 * measures against, in a temporary database or schema dropped at the end.
 */
const STATE_WRITER_EXCLUSIONS = {
  seed: 'seed:bulk bulk-loads generated histories into a fresh database; it never changes a live ticket',
  bench: 'the bench stores its backlog in a temporary database or schema of its own, dropped at the end',
};

function stateWriters() {
  const folders = new Map();
  for (const path of filesUnder(join(ROOT, 'src'))) {
    const file = posix(path);
    if (isTest(file)) continue;
    if (!writesTicketState(readFileSync(path, 'utf8'))) continue;
    const folder = folderOf(file);
    if (!folders.has(folder)) folders.set(folder, []);
    folders.get(folder).push(file);
  }
  return folders;
}

/** Citations of documents outside the repository, and of work items, in code and comments. */
const OUTSIDE_CITATIONS = [
  /\b(SECURITY|DESIGN|STACK|STYLE|PRODUCT)\.md\b/,
  /\b(SECURITY|DESIGN|STACK|STYLE|PRODUCT)\s*(#\d|:|rows?\s+\d|principle)/,
  /\.\.\/shared\b/,
  /\bissues?\s+#?\d+/i,
  /\(#\d+\)/,
];

function outsideCitations() {
  const lines = [];
  for (const dir of ['src', 'test']) {
    for (const path of filesUnder(join(ROOT, dir))) {
      readFileSync(path, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (OUTSIDE_CITATIONS.some((re) => re.test(line))) lines.push(`${posix(path)}:${i + 1}: ${line.trim()}`);
        });
    }
  }
  return lines;
}

function metrics(graph, cycles) {
  const cyclic = new Set(cycles.flatMap((c) => c.folders));
  console.log(
    `(a) folders of src/ in an import cycle: ${cyclic.size} of ${graph.folders.length}` + (cyclic.size ? `  [${[...cyclic].sort().join(', ')}]` : ''),
  );
  const writers = stateWriters();
  const counted = [...writers.keys()].filter((f) => !(f in STATE_WRITER_EXCLUSIONS)).sort();
  console.log(
    `(b) folders of src/ with non-test code that writes a ticket's state: ${counted.length}` +
      (counted.length ? `  [${counted.map((f) => `${f}: ${writers.get(f).join(', ')}`).join('; ')}]` : ''),
  );
  for (const [folder, files] of writers) {
    if (folder in STATE_WRITER_EXCLUSIONS) console.log(`    not counted: ${files.join(', ')} (${STATE_WRITER_EXCLUSIONS[folder]})`);
  }
  const citations = outsideCitations();
  console.log(`(c) lines in src/ and test/ citing documents outside the repository or work items: ${citations.length}`);
  for (const line of citations) console.log(`    ${line}`);
}

const args = new Set(process.argv.slice(2));
const result = cruise();
const graph = folderGraph(result);
const cycles = folderCycles(graph);

if (args.has('--graph')) printGraph(graph, cycles);
if (args.has('--metrics')) {
  metrics(graph, cycles);
  process.exit(0);
}
if (args.has('--graph')) process.exit(0);

const violations = result.summary.violations.filter((v) => v.rule.severity === 'error');
for (const v of violations) {
  const cycle = v.cycle ? `  (cycle: ${v.cycle.map((c) => c.name ?? c).join(' -> ')})` : '';
  console.log(`${v.rule.name}: ${v.from} -> ${v.to}${cycle}`);
}
for (const cycle of cycles) {
  console.log(`no-folder-cycle: ${cycle.folders.join(', ')} import each other:`);
  for (const arrow of cycle.arrows) {
    const more = arrow.imports.length > 2 ? `; and ${arrow.imports.length - 2} more` : '';
    console.log(`    ${arrow.from} -> ${arrow.to}: ${arrow.imports.slice(0, 2).join('; ')}${more}`);
  }
}
const total = violations.length + cycles.length;
if (total > 0) {
  console.log(
    `\nlint:arch: ${violations.length} rule violation(s), ${cycles.length} folder cycle(s). ` +
      'The rules and why: .dependency-cruiser.cjs and docs/architecture.md.',
  );
  process.exit(1);
}
console.log(`lint:arch: ${result.summary.totalCruised} modules, ${graph.folders.length} folders: no violations.`);
