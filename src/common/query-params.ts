/**
 * One query-string parameter of a staff page's GET form: undefined when absent or blank (an empty form
 * field), null when repeated (`?a=1&a=2`: refused by the caller rather than guessed), else trimmed.
 */
export function singleParam(query: Record<string, unknown> | undefined, name: string): string | undefined | null {
  const value = query?.[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}
