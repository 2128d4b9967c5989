import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

/**
 * The SHA-256 digest of a string's UTF-8 encoding, as 64 lower-case hex characters. From
 * @noble/hashes (audited, dependency-free, pure JavaScript) rather than node:crypto, so `core/`
 * hashes a config the same way in the operator, the proxy and the CLI without Node built-ins
 * (docs/adr/0045-a-maintained-hash-in-core.md).
 */
export function sha256Hex(text: string): string {
  return bytesToHex(sha256(utf8ToBytes(text)));
}
