/** One document's text within a multi-document YAML file. */
export interface YamlChunk {
  text: string;
  /** 1-based line of the chunk's first line in the file. */
  firstLine: number;
  /** 1-based line of the first line with content (not blank, comment or directive), or undefined when empty. */
  contentLine: number | undefined;
}

/**
 * Splits a file at `---` separator lines, as kubectl's YAML reader does (a line that starts with
 * `---` followed by nothing but spaces or a comment). Parsing each chunk on its own keeps one
 * document's syntax error from hiding the others, and gives every document its start line.
 */
export function splitYamlDocuments(text: string): YamlChunk[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const chunks: YamlChunk[] = [];
  let current: string[] = [];
  let firstLine = 1;
  const flush = () => {
    chunks.push({
      text: current.join('\n'),
      firstLine,
      contentLine: contentLineOf(current, firstLine),
    });
  };
  lines.forEach((line, index) => {
    if (isSeparator(line)) {
      flush();
      current = [];
      firstLine = index + 2;
    } else {
      current.push(line);
    }
  });
  flush();
  return chunks;
}

function isSeparator(line: string): boolean {
  if (!line.startsWith('---')) return false;
  const rest = line.slice(3).trim();
  return rest === '' || rest.startsWith('#');
}

function contentLineOf(lines: readonly string[], firstLine: number): number | undefined {
  const index = lines.findIndex((line) => {
    const trimmed = line.trim();
    return (
      trimmed !== '' && !trimmed.startsWith('#') && !trimmed.startsWith('%') && trimmed !== '...'
    );
  });
  return index === -1 ? undefined : firstLine + index;
}
