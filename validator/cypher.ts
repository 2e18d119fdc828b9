/** Cypher text helpers: identifiers are always backtick-quoted, never interpolated raw. */

/** `name` with embedded backticks doubled, so any label, type or property name is safe in a query. */
export function quoteName(name: string): string {
  return '`' + name.replace(/`/g, '``') + '`';
}

/** `:A:B` for a list of labels (empty string for none). */
export function labelExpression(labels: readonly string[]): string {
  return labels.map((l) => ':' + quoteName(l)).join('');
}

/**
 * The group key of a label combination: labels sorted (UTF-16 code unit order), each written as in
 * Cypher (`:Person:Employee`, backticks only where needed). The empty string is "no labels".
 */
export function labelCombinationKey(sortedLabels: readonly string[]): string {
  let key = '';
  for (const l of sortedLabels) key += ':' + (/^[A-Za-z_][A-Za-z0-9_]*$/.test(l) ? l : quoteName(l));
  return key;
}

/** Inverse of labelCombinationKey. */
export function parseLabelCombinationKey(key: string): string[] {
  const labels: string[] = [];
  let i = 0;
  while (i < key.length) {
    if (key[i] !== ':') throw new Error(`not a label combination key: ${JSON.stringify(key)}`);
    i++;
    if (key[i] === '`') {
      let name = '';
      i++;
      for (;;) {
        if (i >= key.length) throw new Error(`unterminated label in ${JSON.stringify(key)}`);
        if (key[i] === '`') {
          if (key[i + 1] === '`') {
            name += '`';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        name += key[i++];
      }
      labels.push(name);
    } else {
      let j = i;
      while (j < key.length && key[j] !== ':') j++;
      labels.push(key.slice(i, j));
      i = j;
    }
  }
  return labels;
}

/** Human-readable place of a node group in a report: `(:Person:Employee)` or `(no labels)`. */
export function describeLabels(key: string): string {
  return key === '' ? '(no labels)' : `(${key})`;
}
