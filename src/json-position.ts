/**
 * Where a JSON text is broken, without quoting it. `JSON.parse` errors quote a fragment of the
 * input (`Unexpected token 'x', "{"apiKey": x..." is not valid JSON`), and a config file holds
 * secrets, so messages about such files use this line/column instead.
 */

/** Offset of the first JSON syntax error in `text`, or undefined when it parses. */
export function jsonSyntaxErrorOffset(text: string): number | undefined {
  let i = 0;
  const n = text.length;
  const fail = (): never => {
    throw new JsonStop(i);
  };
  const ws = () => {
    while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const str = () => {
    i++; // opening quote
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 34) return void i++;
      if (c < 32) fail();
      if (c === 92) {
        i++;
        const e = text[i];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail();
          i += 5;
          continue;
        }
        if (e === undefined || !'"\\/bfnrt'.includes(e)) fail();
      }
      i++;
    }
    fail();
  };
  const NUM = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  // An explicit stack instead of recursion: any nesting depth is fine.
  const stack: Array<'{' | '['> = [];
  try {
    let expectValue = true;
    for (;;) {
      ws();
      if (expectValue) {
        const c = text[i];
        if (c === '{' || c === '[') {
          stack.push(c);
          i++;
          ws();
          if (text[i] === (c === '{' ? '}' : ']')) {
            stack.pop();
            i++;
            expectValue = false;
            continue;
          }
          if (c === '{') {
            if (text[i] !== '"') fail();
            str();
            ws();
            if (text[i] !== ':') fail();
            i++;
          }
          continue;
        }
        if (c === '"') str();
        else if (text.startsWith('true', i)) i += 4;
        else if (text.startsWith('false', i)) i += 5;
        else if (text.startsWith('null', i)) i += 4;
        else {
          NUM.lastIndex = i;
          if (!NUM.test(text)) fail();
          i = NUM.lastIndex;
        }
        expectValue = false;
        continue;
      }
      const top = stack[stack.length - 1];
      if (!top) {
        if (i < n) fail();
        return undefined;
      }
      if (text[i] === ',') {
        i++;
        if (top === '{') {
          ws();
          if (text[i] !== '"') fail();
          str();
          ws();
          if (text[i] !== ':') fail();
          i++;
        }
        expectValue = true;
        continue;
      }
      if (text[i] === (top === '{' ? '}' : ']')) {
        stack.pop();
        i++;
        continue;
      }
      fail();
    }
  } catch (e) {
    if (e instanceof JsonStop) return Math.min(e.offset, n);
    throw e;
  }
}

class JsonStop {
  constructor(readonly offset: number) {}
}

/** "line L, column C" (1-based) of an offset in a text. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lastBreak = -1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      lastBreak = i;
    }
  }
  return { line, column: offset - lastBreak };
}

/**
 * Parse JSON; on a syntax error throw a plain Error saying where (line/column) without any of the
 * content (`what` names the file, e.g. "--config acme.json").
 */
export function parseJsonQuietly(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    const offset = jsonSyntaxErrorOffset(text) ?? 0;
    const { line, column } = lineColumn(text, offset);
    const where =
      offset >= text.length ? `it ends early (line ${line}, column ${column})` : `line ${line}, column ${column}`;
    throw new Error(
      `${what} is not valid JSON: syntax error at ${where}; its content is not shown because it may hold secrets`,
    );
  }
}
