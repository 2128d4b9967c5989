import type { CommandModule } from './command.ts';

/** One `switchyard` subcommand: its name, a one-line summary for `--help`, and its module. */
export interface CommandEntry {
  name: string;
  summary: string;
  /** Imported only when the command runs, so `validate` never loads the operator's client. */
  load: () => Promise<CommandModule>;
}

/**
 * Every `switchyard` subcommand. Adding one is adding an entry here, pointing at a module that
 * exports `usage` and `run` (see CommandModule); modules may live in cli/, proxy/ or operator/.
 */
export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'validate',
    summary: 'Check manifests: schema, references, conflicts.',
    load: () => import('./validate.ts'),
  },
  {
    name: 'compile',
    summary: 'Print the RouterConfig compiled from manifests.',
    load: () => import('./compile.ts'),
  },
  {
    name: 'serve',
    summary: 'Run one proxy from a manifest folder (no cluster needed).',
    load: () => import('./serve.ts'),
  },
  {
    name: 'explain',
    summary: 'Show how a request would be routed: rule, tier, candidates, attempts.',
    load: () => import('./explain.ts'),
  },
  {
    name: 'eval',
    summary: 'Measure routing on a labelled dataset: tiers, cost, recall, adequacy, APGR.',
    load: () => import('./eval.ts'),
  },
  {
    name: 'catalog',
    summary: 'Import ModelProviders from an OpenRouter or LiteLLM model catalog.',
    load: () => import('./catalog.ts'),
  },
  {
    name: 'experiment',
    summary:
      "Report a policy's experiment: per arm cost, success, quality, latency, with intervals.",
    load: () => import('./experiment-report.ts'),
  },
  {
    name: 'quality',
    summary: 'Export judged samples as a switchyard eval dataset.',
    load: () => import('./quality-export.ts'),
  },
  {
    name: 'operator',
    summary: 'Run the operator: watch the custom resources, publish the config, write status.',
    load: () => import('../operator/command.ts'),
  },
];
