/** Words of PromQL that look like metric names and are not. */
const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'and',
  'or',
  'unless',
  'offset',
  'atan2',
  'inf',
  'nan',
]);

/**
 * The metric names a PromQL expression reads: its bare identifiers once strings, label matchers,
 * ranges and grouping lists are taken out, less function names (followed by `(`), keywords and
 * the unit letters of numbers (`1e3`, `5m`). Enough for checking dashboards and rules, not a parser.
 */
export function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = [...bare.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)].filter(({ 0: word, index }) => {
    const before = bare[index - 1] ?? ' ';
    const after = bare.slice(index + word.length);
    return !/[0-9.$]/.test(before) && !/^\s*\(/.test(after) && !KEYWORDS.has(word.toLowerCase());
  });
  return [...new Set(names.map(([word]) => word))];
}
