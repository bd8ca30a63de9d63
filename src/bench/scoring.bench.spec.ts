import { generateDirectory } from '../directory/demo-directory.js';
import { ticketLines } from './scoring.bench.js';
import { parseTicketLine } from '../cli/score/ticket-line.js';

describe('the scoring bench tickets', () => {
  const accounts = generateDirectory(50, 9).accounts as unknown as Parameters<typeof ticketLines>[0];
  const lines = ticketLines(accounts, 300).trimEnd().split('\n');

  it('are all valid tickets for the score CLI, so the bench times scoring and not refusals', () => {
    expect(lines).toHaveLength(300);
    const parsed = lines.map((line) => parseTicketLine(line, new Date('2026-11-25T12:00:00Z')));
    expect(parsed.filter((p) => !p.ok)).toEqual([]);
    expect(new Set(parsed.map((p) => (p.ok ? p.ref : '')))).toHaveProperty('size', 300);
  });

  it('mix known accounts with a few unknown ones, and are the same for the same seed', () => {
    const usernames = new Set(accounts.map((a) => a.username));
    const unknown = lines.filter((line) => !usernames.has((JSON.parse(line) as { username: string }).username)).length;
    expect(unknown).toBeGreaterThan(0);
    expect(unknown).toBeLessThan(60);
    expect(ticketLines(accounts, 300)).toBe(`${lines.join('\n')}\n`);
  });
});
