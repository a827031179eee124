/**
 * `orgsync studio --snapshot S.json [--previous P.json] --rules R.json [--port P]`
 * Serves the rules studio on 127.0.0.1 until interrupted; prints the URL (with its token).
 */
import { startStudio } from '../studio/standalone.js';
import { checkFlags, flag } from './commands.js';
import { coerce, type ParsedArgs } from './args.js';
import type { Io } from './io.js';

export async function studioCommand(args: ParsedArgs, io: Io, opts: { signal?: AbortSignal } = {}): Promise<number> {
  checkFlags(args, 'studio', ['snapshot', 'previous', 'rules', 'port', 'now']);
  const snapshot = flag(args, 'snapshot');
  const rules = flag(args, 'rules');
  if (!snapshot || !rules) {
    io.stderr(
      'orgsync studio: usage: orgsync studio --snapshot S.json [--previous P.json] --rules R.json [--port P]\n',
    );
    return 2;
  }
  const previous = flag(args, 'previous');
  const portRaw = flag(args, 'port');
  const port = portRaw === undefined ? 0 : (coerce('port', 'number', portRaw) as number);
  const nowFlag = flag(args, 'now');
  const studio = await startStudio({
    snapshot,
    rules,
    port,
    ...(previous ? { previous } : {}),
    ...(nowFlag ? { now: () => new Date(nowFlag) } : {}),
  });
  io.stdout(
    `orgsync studio: open ${studio.url}\n(loopback only; the token in the URL guards every request. Ctrl-C to stop.)\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    if (opts.signal) opts.signal.addEventListener('abort', stop, { once: true });
    else {
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    }
  });
  await studio.close();
  return 0;
}
