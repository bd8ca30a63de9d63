/**
 * The scoring bench's baseline (`node dist/bench/bare-score.js DIR.json TICKETS.jsonl`): what
 * `npm run score` does besides scoring. It starts Node, reads and parses the directory, streams the
 * tickets file and parses each line, and writes one JSON line per ticket, with no validation, lookup or
 * rules.
 */
import { createReadStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

const [directory, tickets] = process.argv.slice(2);
const parsed = JSON.parse(readFileSync(directory, 'utf8')) as { accounts: unknown[] };
let buffer = '';
let count = 0;
for await (const line of createInterface({ input: createReadStream(tickets, { encoding: 'utf8' }), crlfDelay: Infinity })) {
  if (line.trim() === '') continue;
  const { ref } = JSON.parse(line) as { ref: string };
  buffer += `${JSON.stringify({ ref, accounts: parsed.accounts.length })}\n`;
  if (buffer.length >= 1 << 16) {
    process.stdout.write(buffer);
    buffer = '';
  }
  count++;
}
process.stdout.write(buffer);
process.stderr.write(`echoed ${count} tickets\n`);
