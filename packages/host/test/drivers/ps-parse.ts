/**
 * A reader for the PowerShell literals Nubo writes (single-quoted strings,
 * integers, booleans, @(...) arrays, @{...} hashtables), following
 * PowerShell's rules: any of ' ‘ ’ ‚ ‛ opens or closes a string, and two of
 * them in a row stand for one. Tests use it to prove a value comes back
 * exactly as it went in, and to see the code around the literals.
 */
const QUOTE = /['\u2018\u2019\u201a\u201b]/;

export type Parsed = string | number | boolean | Parsed[] | { [k: string]: Parsed };

/** The script with every string literal replaced by `'?'`: the code a value could not change. */
export function skeleton(script: string): string {
  let out = '';
  for (let i = 0; i < script.length; ) {
    if (QUOTE.test(script[i]!)) {
      i = readString(script, i).end;
      out += "'?'";
    } else out += script[i++];
  }
  return out;
}

/** The `$name = <literal>` assignments at the top of a Nubo script (not the `$...Preference` settings). */
export function assignments(script: string): Record<string, Parsed> {
  const result: Record<string, Parsed> = {};
  let i = 0;
  for (;;) {
    const m = /^\$(\w+) = /m.exec(script.slice(i));
    if (!m || script.slice(i, i + m.index).includes('try {')) return result;
    const start = i + m.index + m[0].length;
    const { value, end } = readValue(script, start);
    if (!m[1]!.endsWith('Preference')) result[m[1]!] = value;
    i = end;
  }
}

function readString(s: string, start: number): { value: string; end: number } {
  let value = '';
  for (let i = start + 1; i < s.length; i++) {
    if (QUOTE.test(s[i]!)) {
      if (QUOTE.test(s[i + 1] ?? '')) {
        value += s[i];
        i++;
      } else return { value, end: i + 1 };
    } else value += s[i];
  }
  throw new Error('unterminated string');
}

function readValue(s: string, i: number): { value: Parsed; end: number } {
  if (QUOTE.test(s[i]!)) return readString(s, i);
  if (s.startsWith('$true', i)) return { value: true, end: i + 5 };
  if (s.startsWith('$false', i)) return { value: false, end: i + 6 };
  if (s.startsWith('@(', i)) {
    const items: Parsed[] = [];
    let j = i + 2;
    while (s[j] !== ')') {
      const item = readValue(s, j);
      items.push(item.value);
      j = item.end;
      if (s.startsWith(', ', j)) j += 2;
    }
    return { value: items, end: j + 1 };
  }
  if (s.startsWith('@{ ', i)) {
    const obj: Record<string, Parsed> = {};
    let j = i + 3;
    while (s[j] !== '}') {
      const key = /^(\w+) = /.exec(s.slice(j))!;
      const item = readValue(s, j + key[0].length);
      obj[key[1]!] = item.value;
      j = item.end;
      if (s.startsWith('; ', j)) j += 2;
      else if (s[j] === ' ') j += 1;
    }
    return { value: obj, end: j + 1 };
  }
  const num = /^-?\d+/.exec(s.slice(i));
  if (num) return { value: Number(num[0]), end: i + num[0].length };
  throw new Error(`cannot read a literal at ${s.slice(i, i + 20)}`);
}
