import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VIEWS_DIR } from '../common/paths.js';
import { secretsInSubject } from './mail-templates.js';

const MAIL_DIR = join(VIEWS_DIR, 'mail');

describe('mail subjects carry no secret', () => {
  it('finds a secret named in a subject line, and only there', () => {
    expect(secretsInSubject('Subject: [{{reference}}] Your code: {{code}}\n\nBody')).toEqual(['code']);
    expect(secretsInSubject('Subject: Open {{{ statusUrl }}}\n')).toEqual(['statusUrl']);
    expect(secretsInSubject('Subject: [{{reference}}] Your one-time code\n\nYour one-time code: {{code}}')).toEqual([]);
  });

  it('no template of views/mail/ names a secret in its subject', () => {
    const files = readdirSync(MAIL_DIR).filter((f) => f.endsWith('.hbs'));
    expect(files.length).toBeGreaterThan(10);
    const offenders = files.filter((f) => secretsInSubject(readFileSync(join(MAIL_DIR, f), 'utf8')).length > 0);
    expect(offenders).toEqual([]);
  });
});
