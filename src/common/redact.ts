const EMAIL = /([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})/g;
// 32-byte secrets are 43 base64url characters; anything that long and unbroken is treated as one.
const TOKEN = /[A-Za-z0-9_-]{40,}/g;

/** Masks e-mail addresses (`a***@example.org`) and secret-looking tokens in a log string. */
export function redactText(text: string): string {
  return text.replace(TOKEN, '[redacted]').replace(EMAIL, '$1***@$2');
}

/** Masks recursively; keys that name secrets are dropped whatever they hold. */
export function redactValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactText(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1));
  if (value instanceof Error) return { type: value.name, message: redactText(value.message), stack: value.stack && redactText(value.stack) };
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = /token|password|secret|cookie|authorization|code$/i.test(key) ? '[redacted]' : redactValue(item, depth + 1);
  }
  return out;
}
