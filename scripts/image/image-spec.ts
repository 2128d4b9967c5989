// What the Switchyard image is, in one place: the runtime settings of its config and the Debian
// packages its root filesystem is made of. build-image.ts writes them into the OCI config, and a
// test checks that the Dockerfile declares the same, so both ways of building give one image.

/** The Debian packages whose shared libraries the Node binary loads (`ldd node`). */
export const debianPackages = ['libc6', 'libgcc-s1', 'libstdc++6', 'libatomic1'] as const;

/** base-files gives only /etc/os-release and /etc/debian_version, for vulnerability scanners. */
export const debianReleasePackage = 'base-files';

/** The unprivileged user the image runs as, by number: runAsNonRoot can verify only numbers. */
export const imageUser = { uid: 1000, gid: 1000, name: 'switchyard' } as const;

/** Where the application lives in the image. */
export const appDir = '/app';

/** Where the Node binary lives in the image. */
export const nodePath = '/usr/local/bin/node';

/** The image's runtime settings (the OCI config's `config`), mirrored by the Dockerfile. */
export const runtimeConfig = {
  User: `${imageUser.uid}:${imageUser.gid}`,
  // MALLOC_ARENA_MAX: glibc gives each thread that allocates (V8's compiler and GC threads,
  // libuv's pool) an arena of its own and keeps what they free; two arenas hold ~1.5 MB less of
  // an idle proxy's RSS (bench/memory.ts).
  // No PATH: runtimes give one that holds /usr/local/bin, and the entrypoint is absolute.
  Env: ['NODE_ENV=production', 'MALLOC_ARENA_MAX=2'],
  Entrypoint: [nodePath, `${appDir}/dist/cli/main.js`],
  Cmd: ['--help'],
  WorkingDir: appDir,
  // 8080 proxy API, 9090 proxy metrics, 8081 operator health and metrics.
  ExposedPorts: { '8080/tcp': {}, '9090/tcp': {}, '8081/tcp': {} },
} as const;

/** OCI annotations-style labels of the image; the version is added from package.json. */
export const imageLabels = {
  'org.opencontainers.image.title': 'switchyard',
  'org.opencontainers.image.description': 'Kubernetes-native LLM router: operator and proxy',
  'org.opencontainers.image.licenses': 'Apache-2.0',
} as const;

/** The repository the chart pulls by default (charts/switchyard/values.yaml image.repository). */
export const imageRepository = 'ghcr.io/switchyard-dev/switchyard';
