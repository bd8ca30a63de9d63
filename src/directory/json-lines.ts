/**
 * The line on which each element of the top-level array `key` starts, so that a bad record can be
 * named by line. A small scanner over the text (strings and nesting only): JSON.parse has no positions.
 */
export function arrayElementLines(text: string, key: string): number[] {
  const lines: number[] = [];
  let line = 1;
  let depth = 0;
  let inString = false;
  let stringStart = -1;
  let lastKeyAtDepth1 = '';
  let arrayDepth = -1;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\n') line++;
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') {
        inString = false;
        if (depth === 1) lastKeyAtDepth1 = text.slice(stringStart + 1, i);
      }
      continue;
    }
    if (ch === '"') {
      if (arrayDepth >= 0 && depth === arrayDepth) lines.push(line);
      inString = true;
      stringStart = i;
    } else if (ch === '{' || ch === '[') {
      if (arrayDepth >= 0 && depth === arrayDepth) lines.push(line);
      depth++;
      if (ch === '[' && depth === 2 && lastKeyAtDepth1 === key && arrayDepth < 0) arrayDepth = depth;
    } else if (ch === '}' || ch === ']') {
      depth--;
      if (arrayDepth >= 0 && depth < arrayDepth) arrayDepth = -2; // left the array: stop recording
    } else if (arrayDepth >= 0 && depth === arrayDepth && !/[\s,]/.test(ch)) {
      lines.push(line); // a scalar element (invalid, but it still has a line)
      while (i + 1 < text.length && !/[\s,\]]/.test(text[i + 1])) i++;
    }
  }
  return lines;
}

/** The 1-based line of a character offset. */
export function lineOfOffset(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text[i] === '\n') line++;
  return line;
}
