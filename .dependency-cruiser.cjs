// The import rules of src/, checked by `npm run lint:arch` (scripts/lint-arch.mjs), which also finds
// cycles between the top folders of src/ (a rule dependency-cruiser cannot express). The layers and the
// reasons behind them: docs/architecture.md, "Layers and the rules that keep them".
//
// Type-only imports count (tsPreCompilationDeps): a type that points up couples the layers as much as a
// value does, and it is the first step of a cycle.

/**
 * Top to bottom. A module may import from its own layer or a lower one, never from a higher one.
 * Each layer is a list of path patterns relative to the repository root.
 */
const LAYERS = [
  {
    name: 'entry',
    why: 'processes start here: they assemble everything and nothing imports them back',
    paths: ['^src/[^/]+\\.ts$', '^src/cli/', '^src/bench/'],
  },
  {
    name: 'caller',
    why: 'pages, APIs, workers and read models: they send commands to the domain and read from it',
    paths: [
      '^src/intake/',
      '^src/moderation/',
      '^src/resets/',
      '^src/review-queue/',
      '^src/reports/',
      '^src/ops/',
      '^src/health/',
      '^src/metrics/',
      '^src/seed/',
    ],
  },
  {
    name: 'domain',
    why: 'the ticket and its evidence: the lifecycle, the one writer, the assessments',
    paths: ['^src/tickets/', '^src/evidence/'],
  },
  {
    name: 'shared',
    why: 'services the domain and the callers use; they know nothing of tickets or of who calls them',
    paths: ['^src/jobs/', '^src/notifications/', '^src/audit/', '^src/sla/', '^src/directory/', '^src/auth/'],
  },
  {
    name: 'infrastructure',
    why: 'configuration, the database, Redis and small helpers: they know no module of the app',
    // common/normalize.ts is in the pure layer below (a pure leaf the scorer shares with everyone).
    paths: ['^src/redis/', '^src/database/', '^src/config/', '^src/common/(?!normalize\\.ts$)'],
  },
  {
    name: 'pure',
    why: 'the scorer and the string normalisers: pure functions of plain types, importing nothing above',
    paths: ['^src/scoring/', '^src/common/normalize\\.ts$'],
  },
];

/** Pure files: rules as functions of their inputs (docs/architecture.md, principle 5). */
const PURE_FILES = [
  '^src/scoring/',
  '^src/common/normalize\\.ts$',
  '^src/tickets/(ticket-workflow|ticket-transitions|sla-steps|assessment-lane|ticket\\.types|ticket-state|ticket-sla|claims|unanswered|dispatch-order)\\.ts$',
  '^src/sla/(calendar|sla-clock|sla-measures|sla-policy)\\.ts$',
  '^src/resets/approval-policy\\.ts$',
  '^src/audit/audit-chain\\.ts$',
  '^src/auth/passkey-rules\\.ts$',
  '^src/auth/(staff-admin-rules|moderator-roles)\\.ts$',
  '^src/evidence/trusted-publisher-rules\\.ts$',
  '^src/evidence/github-device-flow\\.ts$',
];

/**
 * What a pure file may not import: drivers, frameworks, the file system, the network, entities. A
 * package resolves to its file under node_modules/ (or stays a bare name when it cannot be resolved);
 * Node built-ins resolve without their node: prefix (node:fs → fs).
 */
const IO_MODULES = [
  '(^|node_modules/)(typeorm|ioredis|bullmq|pg|better-sqlite3|nodemailer)(/|$)',
  '(^|node_modules/)@nestjs/',
  '^(node:)?(fs|net)(/|$)',
  '\\.entity\\.ts$',
];

const layerRules = [];
LAYERS.forEach((lower, i) => {
  LAYERS.slice(0, i).forEach((higher) => {
    layerRules.push({
      name: `${lower.name}-imports-no-${higher.name}`,
      comment:
        `The ${lower.name} layer (${lower.why}) sits below the ${higher.name} layer (${higher.why}); ` +
        'an import upwards makes the lower layer depend on its callers. Move the type or constant down, ' +
        'or give the lower layer a port or listener that the higher one implements.',
      severity: 'error',
      from: { path: lower.paths },
      to: { path: higher.paths },
    });
  });
});

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment:
        'Modules that import each other (directly or round a loop) cannot be understood, tested or ' +
        'loaded one at a time, and under ESM one of them sees the other half-initialised.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...layerRules,
    {
      name: 'pure-imports-no-io',
      comment:
        'Pure rules (the scorer, the ticket workflow and its tables, the SLA arithmetic, the approval ' +
        'policy) are functions of plain inputs and a time passed in: no database, Redis, queue, framework, ' +
        'file system, network or mail, and no TypeORM entity, so they run the same in the app, the CLI, ' +
        'the bench and a unit test.',
      severity: 'error',
      from: { path: PURE_FILES },
      to: { path: IO_MODULES },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Specs may reach anywhere to set up their case; the rules are about the code that ships.
    exclude: { path: '\\.spec\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
