// Docker users build the image from the Dockerfile, everyone else with `npm run image`
// (scripts/image/). Both must give the same image: the Dockerfile runs the script's --rootfs
// step, and its final stage must declare what scripts/image/image-spec.ts writes into the OCI
// config. This reads the Dockerfile's last stage and compares.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { imageLabels, runtimeConfig } from '../../scripts/image/image-spec.ts';
import { pinnedNodeVersion } from '../../scripts/image/build-image.ts';
import { repoRoot } from '../harness/tools.ts';

const dockerfile = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8').replace(/\\\n\s*/g, ' ');
const lastStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));

function instructions(name: string): string[] {
  return lastStage
    .split('\n')
    .filter((line) => line.startsWith(`${name} `))
    .map((line) => line.slice(name.length + 1).trim());
}

function pairs(text: string): Record<string, string> {
  const found: Record<string, string> = {};
  for (const match of text.matchAll(/([\w.]+)=("[^"]*"|\S+)/g)) {
    found[match[1]!] = match[2]!.replace(/^"|"$/g, '');
  }
  return found;
}

test('the Dockerfile starts from an empty image and copies the root filesystem the script builds', () => {
  assert.match(lastStage, /^\nFROM scratch$/m);
  assert.deepEqual(instructions('COPY'), ['--from=build /rootfs /']);
  assert.match(dockerfile, /RUN node scripts\/image\/build-image\.ts --rootfs \/rootfs /);
});

test('the Dockerfile sets the user, environment, directory, ports and command of image-spec.ts', () => {
  assert.deepEqual(instructions('USER'), [runtimeConfig.User]);
  assert.deepEqual(instructions('WORKDIR'), [runtimeConfig.WorkingDir]);
  const env = instructions('ENV').flatMap((line) =>
    Object.entries(pairs(line)).map(([key, value]) => `${key}=${value}`),
  );
  assert.deepEqual(env, runtimeConfig.Env);
  assert.deepEqual(
    instructions('EXPOSE').flatMap((line) => line.split(/\s+/).map((port) => `${port}/tcp`)),
    Object.keys(runtimeConfig.ExposedPorts),
  );
  assert.deepEqual(
    instructions('ENTRYPOINT').map((line) => JSON.parse(line) as unknown),
    [runtimeConfig.Entrypoint],
  );
  assert.deepEqual(
    instructions('CMD').map((line) => JSON.parse(line) as unknown),
    [runtimeConfig.Cmd],
  );
});

test('the Dockerfile labels the image as the script does, with package.json version', () => {
  const version = (
    JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
      version: string;
    }
  ).version;
  assert.deepEqual(pairs(instructions('LABEL').join(' ')), {
    ...imageLabels,
    'org.opencontainers.image.version': version,
  });
});

test('the Dockerfile builds on the Node release package.json pins', () => {
  assert.match(
    dockerfile,
    new RegExp(`^ARG NODE_VERSION=${pinnedNodeVersion().replace(/\./g, '\\.')}$`, 'm'),
  );
});
