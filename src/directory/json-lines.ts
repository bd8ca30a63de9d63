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
        if (depth === 1) lastKeyAtDepth1 = decodeKey(text.slice(stringStart, i + 1));
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
      if (ch === '[' && depth === 2 && lastKeyAtDepth1 === key && arrayDepth < 0) {
        arrayDepth = depth;
        lines.length = 0; // a repeated key: JSON.parse keeps the last array, so do we
      }
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

function decodeKey(quoted: string): string {
  try {
    return JSON.parse(quoted) as string;
  } catch {
    return quoted.slice(1, -1);
  }
}

/**
 * The offset of the first JSON syntax error, for messages that do not carry one (Node 20 says
 * "Unexpected token" without a position for some inputs). A small recursive-descent scan;
 * called only after JSON.parse has failed.
 */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const ws = () => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  const fail = (): never => {
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- the scan's own exit with the offset, caught below
    throw i;
  };
  const literal = (word: string) => {
    if (text.startsWith(word, i)) i += word.length;
    else fail();
  };
  const string = () => {
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\') i++;
      else if (text.charCodeAt(i) < 0x20) fail();
      i++;
    }
    if (i >= text.length) fail();
    i++;
  };
  const number = () => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!match) fail();
    i += match![0].length;
  };
  const value = (depth: number): void => {
    if (depth > 10_000) fail();
    ws();
    const ch = text[i];
    if (ch === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        string();
        ws();
        if (text[i] !== ':') fail();
        i++;
        value(depth + 1);
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') {
          i++;
          return;
        } else fail();
      }
    } else if (ch === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value(depth + 1);
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') {
          i++;
          return;
        } else fail();
      }
    } else if (ch === '"') string();
    else if (ch === 't') literal('true');
    else if (ch === 'f') literal('false');
    else if (ch === 'n') literal('null');
    else number();
  };
  try {
    value(0);
    ws();
    return i < text.length ? i : text.length;
  } catch (offset) {
    return typeof offset === 'number' ? offset : 0;
  }
}
