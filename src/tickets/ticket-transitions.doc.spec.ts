import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../common/paths.js';
import { lifecycleBlock, TABLE_END, TABLE_START, transitionTable } from './ticket-transitions.doc.js';
import { TRANSITIONS } from './ticket-transitions.js';

const DOC = join(PROJECT_ROOT, 'docs', 'architecture.md');

describe('docs/architecture.md shows the transition table the code has', () => {
  it('has the generated block between its markers, equal to what the table gives', () => {
    const text = readFileSync(DOC, 'utf8');
    const start = text.indexOf(TABLE_START);
    const end = text.indexOf(TABLE_END);
    expect({ start: start >= 0, end: end > start }).toEqual({ start: true, end: true });
    const inDoc = text.slice(start, end + TABLE_END.length);
    // On a mismatch, the expected value is the block to paste into the document.
    expect(inDoc).toBe(lifecycleBlock());
  });

  it('draws one table row per transition row, so a new row cannot be left out of the document', () => {
    expect(transitionTable().split('\n')).toHaveLength(TRANSITIONS.length + 2);
  });
});
