import { OPENAI_SDK_VENV, venvPython } from './python-venv.ts';

/**
 * The python interpreter of the virtualenv that scripts/prepare-test-tools.ts builds with the
 * OpenAI Python SDK (tools/python/requirements.txt). Throws when it has not been prepared.
 */
export function pythonWithOpenAI(): string {
  return venvPython(OPENAI_SDK_VENV);
}
