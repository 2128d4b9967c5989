// The fenced code blocks of README.md and docs/**/*.md, and what each YAML block claims to be.
// A block's first comment lines may carry a marker (the convention is in docs/adr/0007):
//
//   # snippet: RoutePolicy.spec.failover     the value of that field; completed into an object
//   # values: charts/switchyard              a values file for that chart
//   # validate-with: FILE...                 full manifests that lean on objects in these files
//
// A YAML block without `snippet:` or `values:` is full manifests: every document a whole object.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../harness/tools.ts';

/** One fenced code block of a Markdown file. */
export interface DocBlock {
  /** Path from the repository root, e.g. `docs/install.md`. */
  file: string;
  /** Line of the opening fence (1-based). */
  line: number;
  /** The fence's info string (`yaml`, `sh`, ``). */
  lang: string;
  text: string;
  /** `key: value` of the leading comment lines whose key is a known marker. */
  markers: Partial<Record<MarkerKey, string>>;
}

/** The marker keys a YAML block may carry. */
export const MARKER_KEYS = ['snippet', 'values', 'validate-with'] as const;
/** A marker key. */
export type MarkerKey = (typeof MARKER_KEYS)[number];

/** What a YAML block is, read from its markers. */
export type BlockRole =
  | { role: 'snippet'; kind: string; path: string }
  | { role: 'values'; chart: string }
  | { role: 'manifests'; with: string[] };

/** README.md and every Markdown file under docs/, as paths from the repository root. */
export function docFiles(): string[] {
  const docs = readdirSync(join(repoRoot, 'docs'), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.md'))
    .map((name) => join('docs', name));
  return ['README.md', ...docs.sort()];
}

/** Every fenced block of a Markdown file (``` and ~~~ fences, indented ones included). */
export function blocksOf(file: string): DocBlock[] {
  const lines = readFileSync(join(repoRoot, file), 'utf8').split('\n');
  const blocks: DocBlock[] = [];
  let open: { line: number; fence: string; indent: number; lang: string; body: string[] } | null =
    null;
  for (const [index, line] of lines.entries()) {
    const fence = /^( *)(`{3,}|~{3,})\s*([^\s`]*)/.exec(line);
    if (open === null) {
      if (fence) {
        const [, indent = '', marks = '', lang = ''] = fence;
        open = { line: index + 1, fence: marks, indent: indent.length, lang, body: [] };
      }
    } else if (fence && fence[2]?.startsWith(open.fence) && fence[3] === '') {
      const text = open.body.join('\n');
      blocks.push({ file, line: open.line, lang: open.lang, text, markers: markersOf(text) });
      open = null;
    } else {
      open.body.push(line.slice(Math.min(open.indent, line.length - line.trimStart().length)));
    }
  }
  return blocks;
}

function markersOf(text: string): DocBlock['markers'] {
  const markers: DocBlock['markers'] = {};
  for (const line of text.split('\n')) {
    const comment = /^#\s*([a-z-]+):\s*(.+?)\s*$/.exec(line);
    if (!comment) {
      if (line.trim() === '' || line.startsWith('#')) continue;
      break; // markers sit above the first line of YAML
    }
    const key = comment[1] as MarkerKey;
    if ((MARKER_KEYS as readonly string[]).includes(key)) markers[key] = comment[2] ?? '';
  }
  return markers;
}

/** Whether a block is YAML by its fence. */
export function isYaml(block: DocBlock): boolean {
  return block.lang === 'yaml' || block.lang === 'yml';
}

/** The role of a YAML block; throws with what to write when its markers make no sense. */
export function roleOf(block: DocBlock): BlockRole {
  const { snippet, values } = block.markers;
  const withFiles = (block.markers['validate-with'] ?? '').split(/\s+/).filter(Boolean);
  if (snippet !== undefined && values !== undefined) {
    throw new Error(`${where(block)}: a block is a snippet or a values file, not both`);
  }
  if (snippet !== undefined) {
    const match = /^(ModelProvider|RoutePolicy)\.(spec(?:\.[A-Za-z]+(?:\[\])?)*)$/.exec(snippet);
    if (!match) {
      throw new Error(
        `${where(block)}: "# snippet: ${snippet}" should name a kind and a field, e.g. RoutePolicy.spec.failover or ModelProvider.spec.models[]`,
      );
    }
    return { role: 'snippet', kind: match[1]!, path: match[2]! };
  }
  if (values !== undefined) return { role: 'values', chart: values };
  return { role: 'manifests', with: withFiles };
}

/** `file:line` of a block, for messages. */
export function where(block: DocBlock): string {
  return `${block.file}:${block.line}`;
}
