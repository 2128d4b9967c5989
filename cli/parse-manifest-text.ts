import { loadAll, YAMLException } from 'js-yaml';
import type { ManifestProblem } from '../core/compile/manifest-problem.ts';
import type { ManifestDocument } from '../core/compile/manifests.ts';
import { splitYamlDocuments } from './split-yaml-documents.ts';

/** The documents of one file, and its YAML syntax errors (one per broken document). */
export interface ParsedManifestText {
  documents: ManifestDocument[];
  problems: ManifestProblem[];
}

/**
 * Parses a multi-document YAML file. Each document keeps the line where its content starts, so
 * later problems can point at `file:line`; a syntax error is reported at its own line and column
 * and only drops the document it is in.
 */
export function parseManifestText(file: string, text: string): ParsedManifestText {
  const documents: ManifestDocument[] = [];
  const problems: ManifestProblem[] = [];
  for (const chunk of splitYamlDocuments(text)) {
    if (chunk.contentLine === undefined) continue;
    try {
      for (const value of loadAll(chunk.text, { filename: file })) {
        documents.push({ location: { file, line: chunk.contentLine }, value });
      }
    } catch (error) {
      problems.push(syntaxProblem(file, chunk.firstLine, error));
    }
  }
  return { documents, problems };
}

function syntaxProblem(file: string, firstLine: number, error: unknown): ManifestProblem {
  if (error instanceof YAMLException) {
    const mark = error.mark;
    const location =
      mark === undefined
        ? { file, line: firstLine }
        : { file, line: firstLine + mark.line, column: mark.column + 1 };
    return { severity: 'error', location, message: `YAML syntax error: ${error.reason}` };
  }
  const reason = error instanceof Error ? error.message : String(error);
  return {
    severity: 'error',
    location: { file, line: firstLine },
    message: `YAML syntax error: ${reason}`,
  };
}
