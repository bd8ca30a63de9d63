import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { createHash } from 'node:crypto';
import { flattenValidationErrors } from '../common/validation.js';
import { usernameKey } from '../common/normalize.js';
import { DirectoryAccountDto } from './dto/directory-file.dto.js';
import { arrayElementLines, jsonErrorOffset, lineOfOffset } from './json-lines.js';

export interface DirectoryFileProblem {
  line: number;
  reason: string;
}

export type ParsedDirectory = { ok: true; accounts: DirectoryAccountDto[]; fingerprints: string[] } | { ok: false; problems: DirectoryFileProblem[] };

const MAX_PROBLEMS = 20;

/**
 * Parses and validates a whole directory file before anything is written, so a bad file is refused
 * whole: every problem comes back with its line and reason (the first 20 of them).
 */
export function parseDirectoryFile(text: string): ParsedDirectory {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const position = /position (\d+)/.exec(message);
    const line = lineOfOffset(text, position ? Number(position[1]) : jsonErrorOffset(text));
    return { ok: false, problems: [{ line, reason: `not valid JSON: ${message}` }] };
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data) || !Array.isArray((data as { accounts?: unknown }).accounts)) {
    return { ok: false, problems: [{ line: 1, reason: 'the file must be an object with an "accounts" array' }] };
  }
  const extraTopKeys = Object.keys(data).filter((key) => key !== 'accounts');
  const problems: DirectoryFileProblem[] = extraTopKeys.map((key) => ({ line: 1, reason: `unknown key "${key}"` }));
  const raw = (data as { accounts: unknown[] }).accounts;
  const lines = arrayElementLines(text, 'accounts');
  const accounts: DirectoryAccountDto[] = [];
  const fingerprints: string[] = [];
  const seen = new Map<string, number>();
  for (let index = 0; index < raw.length && problems.length < MAX_PROBLEMS; index++) {
    const line = lines[index] ?? 1;
    const item = raw[index];
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      problems.push({ line, reason: `accounts[${index}] must be an object` });
      continue;
    }
    const account = plainToInstance(DirectoryAccountDto, item);
    const errors = validateSync(account, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true });
    for (const { field, reasons } of flattenValidationErrors(errors)) {
      problems.push({ line, reason: `accounts[${index}].${field}: ${reasons.join('; ')}` });
    }
    if (errors.length) continue;
    const key = usernameKey(account.username);
    if (seen.has(key)) {
      problems.push({ line, reason: `accounts[${index}].username: "${account.username}" appears twice (first on line ${seen.get(key)})` });
      continue;
    }
    seen.set(key, line);
    accounts.push(account);
    fingerprints.push(createHash('sha256').update(canonicalJson(item)).digest('hex').slice(0, 32));
  }
  return problems.length ? { ok: false, problems: problems.slice(0, MAX_PROBLEMS) } : { ok: true, accounts, fingerprints };
}

/** JSON with keys sorted at every level: the same record in another key order has the same fingerprint. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}
