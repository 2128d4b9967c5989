// A minimal, deterministic tar writer (POSIX ustar with PAX records for long names), enough for
// image layers: regular files, directories and symbolic links, every entry owned by root with a
// fixed mtime, so the same files always give the same bytes and therefore the same layer digest.
// Writing it here beats a dependency: ~100 lines, and the tests check its output with GNU tar and
// by loading the image into containerd.

/** One entry of a layer. Paths are relative to the root, without a leading slash. */
export type TarEntry =
  | { readonly type: 'file'; readonly path: string; readonly mode: number; readonly data: Buffer }
  | { readonly type: 'directory'; readonly path: string; readonly mode: number }
  | { readonly type: 'symlink'; readonly path: string; readonly target: string };

const block = 512;

function octal(value: number, width: number): string {
  // width - 1 digits and a NUL, as ustar wants.
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

function paxRecord(key: string, value: string): string {
  // The length prefix counts itself, so grow it until it is stable.
  const body = ` ${key}=${value}\n`;
  let length = Buffer.byteLength(body);
  while (Buffer.byteLength(`${length}${body}`) !== length)
    length = Buffer.byteLength(`${length}${body}`);
  return `${length}${body}`;
}

interface HeaderFields {
  readonly name: string;
  readonly mode: number;
  readonly size: number;
  readonly mtime: number;
  readonly typeflag: string;
  readonly linkname: string;
}

function header(fields: HeaderFields): Buffer {
  const buffer = Buffer.alloc(block);
  buffer.write(fields.name, 0, 100, 'utf8');
  buffer.write(octal(fields.mode, 8), 100, 'ascii');
  buffer.write(octal(0, 8), 108, 'ascii'); // uid root
  buffer.write(octal(0, 8), 116, 'ascii'); // gid root
  buffer.write(octal(fields.size, 12), 124, 'ascii');
  buffer.write(octal(fields.mtime, 12), 136, 'ascii');
  buffer.write(' '.repeat(8), 148, 'ascii'); // checksum placeholder: spaces while summing
  buffer.write(fields.typeflag, 156, 'ascii');
  buffer.write(fields.linkname, 157, 100, 'utf8');
  buffer.write('ustar\0', 257, 'ascii');
  buffer.write('00', 263, 'ascii');
  buffer.write('root', 265, 'ascii');
  buffer.write('root', 297, 'ascii');
  let sum = 0;
  for (const byte of buffer) sum += byte;
  buffer.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return buffer;
}

function padding(size: number): Buffer {
  return Buffer.alloc((block - (size % block)) % block);
}

function entryName(entry: TarEntry): string {
  return entry.type === 'directory' ? `${entry.path.replace(/\/$/, '')}/` : entry.path;
}

/**
 * Serialises entries, in the order given, into an uncompressed tar archive (two zero blocks
 * close it). `mtimeSeconds` stamps every entry: pass a fixed value for reproducible layers.
 */
export function writeTar(entries: readonly TarEntry[], mtimeSeconds: number): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const name = entryName(entry);
    const linkname = entry.type === 'symlink' ? entry.target : '';
    const records: string[] = [];
    if (Buffer.byteLength(name) > 100) records.push(paxRecord('path', name));
    if (Buffer.byteLength(linkname) > 100) records.push(paxRecord('linkpath', linkname));
    if (records.length > 0) {
      const pax = Buffer.from(records.join(''), 'utf8');
      parts.push(
        header({
          name: `PaxHeaders/${name.slice(-80).replace(/\/$/, '')}`,
          mode: 0o644,
          size: pax.length,
          mtime: mtimeSeconds,
          typeflag: 'x',
          linkname: '',
        }),
        pax,
        padding(pax.length),
      );
    }
    const size = entry.type === 'file' ? entry.data.length : 0;
    const mode = entry.type === 'symlink' ? 0o777 : entry.mode;
    const typeflag = { file: '0', directory: '5', symlink: '2' }[entry.type];
    parts.push(
      header({
        name: name.slice(0, 100),
        mode,
        size,
        mtime: mtimeSeconds,
        typeflag,
        linkname: linkname.slice(0, 100),
      }),
    );
    if (entry.type === 'file') parts.push(entry.data, padding(size));
  }
  parts.push(Buffer.alloc(block * 2));
  return Buffer.concat(parts);
}
