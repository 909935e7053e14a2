// Parses LogQL expressions with Grafana's own LogQL grammar (@grafana/lezer-logql, the parser behind Grafana's
// Loki query editor) and reports, per expression, the error nodes of the tree and the names it uses, for the
// ops module's Java tests to judge.
//
//   node check.mjs <expressions.json>      expressions.json: [{"id": "...", "expr": "..."}, ...]
//
// Prints one JSON array: per expression {id, errors, streamLabels, groupingLabels, filterLabels,
// parserFields, jsonPaths, defined, fullParser, selectors, labelFilters}: selectors lists each stream selector's
// matchers, labelFilters each label-filter matcher of the pipelines ({name, op, value, afterParser}). The lezer parser never throws: it recovers and marks what it could not
// read with error nodes, some of zero width, so every node of the tree is visited.
import { readFileSync } from 'node:fs';
import { parser } from '@grafana/lezer-logql';

const PARSERS = new Set(['LabelParser', 'JsonExpressionParser', 'LogfmtParser', 'LogfmtExpressionParser']);
const TEMPLATE_FIELD = /\.([A-Za-z_][A-Za-z0-9_]*)/g;

function unquote(text) {
  if (text.startsWith('`')) return text.slice(1, -1);
  try { return JSON.parse(text); } catch { return text.slice(1, -1); }
}

function templateFields(template) {
  const names = [];
  for (const action of template.matchAll(/\{\{(.*?)\}\}/gs)) {
    for (const m of action[1].matchAll(TEMPLATE_FIELD)) names.push(m[1]);
  }
  return names;
}

function check(expr) {
  const out = { errors: [], streamLabels: [], groupingLabels: [], filterLabels: [], parserFields: [],
    jsonPaths: [], defined: [], fullParser: false, selectors: [], labelFilters: [] };
  const text = (node) => expr.slice(node.from, node.to);
  // Stages after a parser read the line's fields; stages before it only see stream labels and structured
  // metadata. Each selector starts a new pipeline (a binary operation has two).
  let parserSeen = false;
  const cursor = parser.parse(expr).cursor();
  do {
    const node = cursor.node;
    const name = node.type.name;
    if (node.type.isError) {
      out.errors.push({ from: node.from, to: node.to, near: expr.slice(Math.max(0, node.from - 20), node.to + 20) });
      continue;
    }
    const parent = node.parent ? node.parent.type.name : '';
    const inside = (type) => { for (let p = node.parent; p; p = p.parent) if (p.type.name === type) return p; return null; };
    if (name === 'Selector') {
      parserSeen = false;
      out.selectors.push([]);
    }
    if (name === 'Matcher') {
      const part = (type) => { const c = node.getChild(type); return c ? text(c) : null; };
      const op = ['Eq', 'Neq', 'Re', 'Nre'].map(part).find((o) => o !== null) ?? '';
      const value = part('String');
      const matcher = { name: part('Identifier') ?? '', op, value: value === null ? '' : unquote(value) };
      if (inside('Selector')) out.selectors[out.selectors.length - 1].push(matcher);
      else if (inside('LabelFilter')) out.labelFilters.push({ ...matcher, afterParser: parserSeen });
    }
    if (PARSERS.has(name)) parserSeen = true;
    // `| json` or `| logfmt` without parameters turns every field of the line into a label.
    if (name === 'LabelParser' || name === 'LogfmtParser') out.fullParser = true;
    if (name === 'Identifier') {
      if (inside('Selector')) out.streamLabels.push(text(node));
      else if (parent === 'Labels' && inside('Grouping')) out.groupingLabels.push(text(node));
      else if (inside('LabelFilter')) (parserSeen ? out.parserFields : out.filterLabels).push(text(node));
      else if (parent === 'UnwrapExpr') out.parserFields.push(text(node));
      else if (parent === 'LabelExtractionExpression' || parent === 'LabelFormatMatcher') {
        // The first identifier names a new label; label_format's `new=old` rename reads an existing one.
        if (node.prevSibling === null) out.defined.push(text(node));
        else out.parserFields.push(text(node));
      } else if (parent === 'DropLabel' || parent === 'KeepLabel') out.parserFields.push(text(node));
    }
    if (name === 'LabelName' && inside('OnOrIgnoringModifier')) out.groupingLabels.push(text(node));
    if (name === 'String') {
      if (parent === 'LabelExtractionExpression' && inside('JsonExpressionParser')) out.jsonPaths.push(unquote(text(node)));
      else if (parent === 'LineFormatExpr' || parent === 'LabelFormatMatcher') out.parserFields.push(...templateFields(unquote(text(node))));
    }
  } while (cursor.next());
  return out;
}

const input = JSON.parse(readFileSync(process.argv[2], 'utf8'));
process.stdout.write(JSON.stringify(input.map(({ id, expr }) => ({ id, ...check(expr) }))));
