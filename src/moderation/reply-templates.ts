// Reply templates (config/reply-templates.json): the texts moderators send with a denial or a question.
// Edited by hand and read only at boot, so validation is strict and reports every problem at once.
import { readFileSync } from 'node:fs';

export type ReplyKind = 'deny' | 'request_info';
export const REPLY_KINDS: readonly ReplyKind[] = ['deny', 'request_info'];

export interface ReplyTemplate {
  id: string;
  title: string;
  text: string;
  /** The moderator must add words of their own (a template that only introduces a free question). */
  needsMessage: boolean;
}

export type ReplyTemplates = Record<ReplyKind, ReplyTemplate[]>;

export class ReplyTemplatesError extends Error {
  /** Each problem reads `<source>: <field.path>: <reason>`. */
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ReplyTemplatesError';
  }
}

const ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const MAX_TEXT = 2000;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseReplyTemplates(raw: unknown, source: string): ReplyTemplates {
  const problems: string[] = [];
  const out: ReplyTemplates = { deny: [], request_info: [] };
  if (!isObject(raw)) throw new ReplyTemplatesError([`${source}: (root): must be an object with "deny" and "request_info"`]);
  for (const key of Object.keys(raw)) {
    if (key !== '$comment' && !REPLY_KINDS.includes(key as ReplyKind)) problems.push(`${source}: ${key}: unknown key (expected deny or request_info)`);
  }
  for (const kind of REPLY_KINDS) {
    const list = raw[kind];
    if (!Array.isArray(list) || list.length === 0) {
      problems.push(`${source}: ${kind}: must be a non-empty list of templates`);
      continue;
    }
    const seen = new Set<string>();
    list.forEach((item: unknown, i) => {
      const at = `${source}: ${kind}[${i}]`;
      if (!isObject(item)) {
        problems.push(`${at}: must be an object with id, title and text`);
        return;
      }
      for (const key of Object.keys(item)) {
        if (!['id', 'title', 'text', 'needs_message', '$comment'].includes(key)) problems.push(`${at}.${key}: unknown key`);
      }
      const { id, title, text, needs_message: needsMessage = false } = item;
      if (typeof needsMessage !== 'boolean') problems.push(`${at}.needs_message: must be true or false`);
      if (typeof id !== 'string' || !ID.test(id)) problems.push(`${at}.id: must be lower-case letters, digits and dashes`);
      else if (seen.has(id)) problems.push(`${at}.id: "${id}" is used twice in ${kind}`);
      else seen.add(id);
      if (typeof title !== 'string' || !title.trim() || title.length > 120) problems.push(`${at}.title: must be text of 1 to 120 characters`);
      if (typeof text !== 'string' || !text.trim() || text.length > MAX_TEXT) problems.push(`${at}.text: must be text of 1 to ${MAX_TEXT} characters`);
      if (typeof id === 'string' && typeof title === 'string' && typeof text === 'string')
        out[kind].push({ id, title: title.trim(), text: text.trim(), needsMessage: needsMessage === true });
    });
  }
  if (problems.length) throw new ReplyTemplatesError(problems);
  return out;
}

export function loadReplyTemplatesFile(path: string): ReplyTemplates {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ReplyTemplatesError([`${path}: (file): ${(error as Error).message}`]);
  }
  return parseReplyTemplates(raw, path);
}

/**
 * The message a requester receives: the template's text, then the moderator's own words (if any).
 * A problem names the field when the template is unknown or its required words are missing.
 */
export function composeReply(
  templates: ReplyTemplates,
  kind: ReplyKind,
  templateId: unknown,
  extra: unknown,
): { text: string; templateId: string } | { problem: { field: string; reason: string } } {
  const template = typeof templateId === 'string' ? templates[kind].find((t) => t.id === templateId) : undefined;
  if (!template) return { problem: { field: 'template', reason: `template must be one of: ${templates[kind].map((t) => t.id).join(', ')}` } };
  const words = typeof extra === 'string' ? extra.replace(/\r\n/g, '\n').trim() : '';
  if (words.length > MAX_TEXT) return { problem: { field: 'message', reason: `message must be at most ${MAX_TEXT} characters` } };
  if (template.needsMessage && !words) return { problem: { field: 'message', reason: 'message must say what you want to ask' } };
  return { text: words ? `${template.text}\n\n${words}` : template.text, templateId: template.id };
}
