const EMAIL = /([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})/g;
// 32-byte secrets are 43 base64url characters; anything that long and unbroken is treated as one.
const TOKEN = /[A-Za-z0-9_-]{40,}/g;

/** Masks e-mail addresses (`a***@example.org`) and secret-looking tokens in a log string. */
export function redactText(text: string): string {
  return text.replace(TOKEN, '[redacted]').replace(EMAIL, '$1***@$2');
}

// Keys whose values are secrets whatever they hold; HTTP and error codes are not secrets.
const SECRET_KEY = /(token|password|secret|cookie|authorization|otp|code)$/i;
const NOT_SECRET = new Set(['statusCode', 'errorCode', 'status_code', 'error_code']);

/** Masks recursively; values under secret-named keys are replaced whatever they hold. */
export function redactValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > 6) return '[too deep to log]';
  if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1));
  if (value instanceof Error) return { type: value.name, message: redactText(value.message), stack: value.stack && redactText(value.stack) };
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = SECRET_KEY.test(key) && !NOT_SECRET.has(key) ? '[redacted]' : redactValue(item, depth + 1);
  }
  return out;
}
