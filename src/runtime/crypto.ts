/**
 * Credentials at rest: AES-256-GCM with a key ring from the environment.
 *
 * `ORGSYNC_KEYS="k2:<base64 32 bytes>,k1:<base64 32 bytes>"`: the first key encrypts, every key
 * listed can decrypt (rotation: put the new key first, run `orgsync tenants rekey`, then drop the
 * old one). Ciphertext format: `v1.<keyId>.<iv b64>.<tag b64>.<ciphertext b64>`; the tenant id is
 * bound as additional authenticated data, so a credential copied onto another tenant fails to open.
 * Errors name the key id, never key material or plaintext.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { ConfigError } from '../errors.js';

export interface Keyring {
  /** Key id used to encrypt. */
  readonly activeKeyId: string;
  encrypt(plaintext: string, aad: string): string;
  decrypt(ciphertext: string, aad: string): string;
  /** Key id a ciphertext was written with. */
  keyIdOf(ciphertext: string): string;
}

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

/** Parse `id:base64key[,id:base64key...]`; the first key is the active one. */
export function parseKeyring(spec: string | undefined, envName = 'ORGSYNC_KEYS'): Keyring {
  if (!spec || !spec.trim()) {
    throw new ConfigError({
      message:
        `${envName} is not set: the runtime needs a key to encrypt tenant credentials ` +
        `(e.g. ${envName}="k1:$(openssl rand -base64 32)").`,
      code: 'keyring_missing',
    });
  }
  const keys = new Map<string, Buffer>();
  let active = '';
  for (const part of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const i = part.indexOf(':');
    const id = i > 0 ? part.slice(0, i) : '';
    if (!KEY_ID.test(id))
      throw new ConfigError({
        message: `${envName}: each entry must be KEYID:BASE64KEY (key id of letters, digits, _ or -).`,
        code: 'keyring_invalid',
      });
    const key = Buffer.from(part.slice(i + 1), 'base64');
    if (key.length !== 32)
      throw new ConfigError({
        message: `${envName}: key '${id}' must be 32 bytes, base64-encoded (got ${key.length} bytes).`,
        code: 'keyring_invalid',
      });
    if (keys.has(id))
      throw new ConfigError({ message: `${envName}: key id '${id}' appears twice.`, code: 'keyring_invalid' });
    keys.set(id, key);
    active ||= id;
  }
  if (!active) throw new ConfigError({ message: `${envName} holds no key.`, code: 'keyring_invalid' });
  return createKeyring(keys, active);
}

export function createKeyring(keys: Map<string, Buffer>, activeKeyId: string): Keyring {
  const keyIdOf = (ciphertext: string): string => {
    const parts = ciphertext.split('.');
    if (parts.length !== 5 || parts[0] !== 'v1')
      throw new ConfigError({
        message: 'stored credentials are not in the orgsync v1 encrypted format',
        code: 'credentials_corrupt',
      });
    return parts[1]!;
  };
  return {
    activeKeyId,
    keyIdOf,
    encrypt(plaintext, aad) {
      const key = keys.get(activeKeyId)!;
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv);
      c.setAAD(Buffer.from(aad, 'utf8'));
      const ct = Buffer.concat([c.update(plaintext, 'utf8'), c.final()]);
      return ['v1', activeKeyId, iv.toString('base64'), c.getAuthTag().toString('base64'), ct.toString('base64')].join(
        '.',
      );
    },
    decrypt(ciphertext, aad) {
      const kid = keyIdOf(ciphertext);
      const key = keys.get(kid);
      if (!key)
        throw new ConfigError({
          message: `credentials were encrypted with key '${kid}', which is not in the key ring (ORGSYNC_KEYS)`,
          code: 'key_unknown',
        });
      const [, , iv, tag, ct] = ciphertext.split('.') as [string, string, string, string, string];
      try {
        const d = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
        d.setAAD(Buffer.from(aad, 'utf8'));
        d.setAuthTag(Buffer.from(tag, 'base64'));
        return Buffer.concat([d.update(Buffer.from(ct, 'base64')), d.final()]).toString('utf8');
      } catch {
        throw new ConfigError({
          message: `credentials could not be decrypted with key '${kid}' (wrong key, or the data was altered or moved to another tenant)`,
          code: 'credentials_corrupt',
        });
      }
    },
  };
}

/** A fresh random key spec entry (`id:base64`), for docs and tests. */
export function generateKeySpec(id = 'k1'): string {
  return `${id}:${randomBytes(32).toString('base64')}`;
}
