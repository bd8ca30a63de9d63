import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * `npm run lint:arch` (scripts/lint-arch.mjs with .dependency-cruiser.cjs) on a copy of the real src/:
 * the tree as it is passes, and each planted break fails naming its rule. No database, no Redis.
 */
const ROOT = process.cwd();
const SCRIPT = join(ROOT, 'scripts/lint-arch.mjs');

let dirs: string[] = [];

/** A copy of src/ with the config and tsconfig, and node_modules linked so packages resolve. */
function copyOfTree(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rd-lint-arch-'));
  dirs.push(dir);
  cpSync(join(ROOT, 'src'), join(dir, 'src'), { recursive: true });
  for (const file of ['.dependency-cruiser.cjs', 'tsconfig.json']) cpSync(join(ROOT, file), join(dir, file));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

/** Adds an import line at the top of a file of the copy. */
function plantImport(dir: string, file: string, line: string): void {
  const path = join(dir, file);
  writeFileSync(path, `${line}\n${readFileSync(path, 'utf8')}`);
}

function lintArch(dir: string, ...args: string[]): { status: number | null; out: string } {
  const run = spawnSync(process.execPath, [SCRIPT, ...args], { cwd: dir, encoding: 'utf8' });
  return { status: run.status, out: `${run.stdout}${run.stderr}` };
}

afterEach(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs = [];
});

describe('npm run lint:arch', () => {
  it('passes on the tree as it is, and --metrics counts no cycle, one state writer and no outside citation', () => {
    const dir = copyOfTree();
    const clean = lintArch(dir);
    expect(clean.out).toContain('no violations');
    expect(clean.status).toBe(0);

    const metrics = lintArch(dir, '--metrics');
    expect(metrics.status).toBe(0);
    expect(metrics.out).toMatch(/^\(a\) folders of src\/ in an import cycle: 0 of \d+$/m);
    expect(metrics.out).toMatch(
      /^\(b\) folders of src\/ with non-test code that writes a ticket's state: 1 {2}\[tickets: src\/tickets\/ticket-writer\.service\.ts\]$/m,
    );
  });

  it('fails on a folder cycle between two folders of one layer, listing its arrows', () => {
    const dir = copyOfTree();
    // moderation already imports intake (the Code of Conduct); intake importing moderation closes a loop
    // that no single module closes, and no layer rule forbids (both are callers).
    plantImport(dir, 'src/intake/wait-estimate.ts', "import '../moderation/queue-format.js';");
    const result = lintArch(dir);
    expect(result.status).toBe(1);
    expect(result.out).toContain('no-folder-cycle: intake, moderation import each other');
    expect(result.out).toContain('intake -> moderation: src/intake/wait-estimate.ts -> src/moderation/queue-format.ts');
    expect(result.out).not.toMatch(/^no-circular:/m);
    expect(result.out).not.toMatch(/-imports-no-/);

    const metrics = lintArch(dir, '--metrics');
    expect(metrics.status).toBe(0);
    expect(metrics.out).toMatch(/^\(a\) folders of src\/ in an import cycle: 2 of \d+ {2}\[intake, moderation\]$/m);
  });

  it('fails when infrastructure imports a caller: src/config importing src/moderation', () => {
    const dir = copyOfTree();
    plantImport(dir, 'src/config/duration.ts', "import '../moderation/queue-format.js';");
    const result = lintArch(dir);
    expect(result.status).toBe(1);
    expect(result.out).toContain('infrastructure-imports-no-caller: src/config/duration.ts -> src/moderation/queue-format.ts');
  });

  it('fails when a pure file imports TypeORM, the file system or an entity, type-only imports included', () => {
    const dir = copyOfTree();
    plantImport(dir, 'src/tickets/claims.ts', "import type { DataSource } from 'typeorm';");
    plantImport(dir, 'src/scoring/assess.ts', "import { readFileSync } from 'node:fs';");
    appendFileSync(join(dir, 'src/scoring/assess.ts'), 'export const _planted = readFileSync;\n');
    plantImport(dir, 'src/tickets/sla-steps.ts', "import type { Ticket } from './ticket.entity.js';");
    const result = lintArch(dir);
    expect(result.status).toBe(1);
    expect(result.out).toMatch(/^pure-imports-no-io: src\/tickets\/claims\.ts -> \S*node_modules\/typeorm\//m);
    expect(result.out).toContain('pure-imports-no-io: src/scoring/assess.ts -> fs');
    expect(result.out).toContain('pure-imports-no-io: src/tickets/sla-steps.ts -> src/tickets/ticket.entity.ts');
  });

  it('counts a new writer of the state column and a new citation of an outside document', () => {
    const dir = copyOfTree();
    // Put together here so that this file does not cite anything itself.
    const citation = `// Closes at once (${'SECURITY'}.md #3), see ${'issue'} 12.`;
    writeFileSync(
      join(dir, 'src/intake/shortcut.ts'),
      [
        "import type { EntityManager } from 'typeorm';",
        "import { Ticket } from '../tickets/ticket.entity.js';",
        citation,
        "export const close = (em: EntityManager, id: string) => em.update(Ticket, { id }, { state: 'denied' } as never);",
        '',
      ].join('\n'),
    );
    const metrics = lintArch(dir, '--metrics');
    expect(metrics.out).toMatch(
      /^\(b\) folders of src\/ with non-test code that writes a ticket's state: 2 {2}\[intake: src\/intake\/shortcut\.ts; tickets: /m,
    );
    expect(metrics.out).toMatch(/^\(c\) lines in src\/ and test\/ citing documents outside the repository or work items: 1$/m);
    expect(metrics.out).toContain(`src/intake/shortcut.ts:3: ${citation}`);
  });
});
