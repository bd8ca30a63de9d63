// The transition table and the lifecycle diagram as docs/architecture.md shows them, drawn from the one
// table in ticket-transitions.ts. A test (ticket-transitions.doc.spec.ts) fails when the document and
// the code disagree, and prints the block to paste.
import { OPEN_STATES, TicketState } from './ticket-state.js';
import { NEW, SAME, TRANSITIONS, type FromState } from './ticket-transitions.js';

export const TABLE_START = '<!-- transitions: generated from src/tickets/ticket-transitions.ts; a test checks it -->';
export const TABLE_END = '<!-- /transitions -->';

const ALL = Object.values(TicketState);
const sameSet = (a: readonly FromState[], b: readonly FromState[]) => a.length === b.length && a.every((s) => b.includes(s));

function fromText(from: readonly FromState[]): string {
  if (sameSet(from, ALL)) return 'any state';
  if (sameSet(from, OPEN_STATES)) return 'any open state';
  const openBut = OPEN_STATES.filter((s) => !from.includes(s));
  if (openBut.length === 1 && from.every((s) => s !== NEW && OPEN_STATES.includes(s))) return `any open state but \`${openBut[0]}\``;
  return from.map((s) => (s === NEW ? '(none)' : `\`${s}\``)).join(', ');
}

/** The Markdown table: one row per row of TRANSITIONS, in its order. */
export function transitionTable(): string {
  const rows = TRANSITIONS.map((r) => `| \`${r.command}\` | ${fromText(r.from)} | ${r.to === SAME ? '(unchanged)' : `\`${r.to}\``} | ${r.what} |`);
  return ['| command | from | to | what happens |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

/** A Mermaid state diagram of the moves that change the state, each edge labelled with its commands. */
export function lifecycleDiagram(): string {
  const edges = new Map<string, Set<string>>();
  for (const row of TRANSITIONS) {
    if (row.to === SAME) continue;
    for (const from of row.from) {
      const key = `${from === NEW ? '[*]' : from} --> ${row.to}`;
      edges.set(key, (edges.get(key) ?? new Set()).add(row.command));
    }
  }
  const lines = [...edges].map(([edge, commands]) => `    ${edge}: ${[...commands].join(', ')}`);
  const closed = ALL.filter((s) => !OPEN_STATES.includes(s)).map((s) => `    ${s} --> [*]`);
  return ['```mermaid', 'stateDiagram-v2', ...lines, ...closed, '```'].join('\n');
}

/** The whole generated block, between its markers. */
export function lifecycleBlock(): string {
  return [TABLE_START, '', lifecycleDiagram(), '', transitionTable(), '', TABLE_END].join('\n');
}
