// How an emulator runs as its own process (`npm run emulator`, `npm run emulator:retell`): on
// EMULATOR_PORT (default 4010) and EMULATOR_HOST, accepting `Bearer $EMULATOR_API_KEY` (default
// `emulator-key`), a bad port refused in one line, a clean stop on SIGINT or SIGTERM.
import type { EmulatorServer } from './emulator-kit.ts';

export async function serveStandalone(
  label: string,
  create: (apiKey: string) => EmulatorServer,
): Promise<void> {
  const port = Number(process.env.EMULATOR_PORT ?? 4010);
  const host = process.env.EMULATOR_HOST ?? '127.0.0.1';
  const apiKey = process.env.EMULATOR_API_KEY ?? 'emulator-key';

  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`EMULATOR_PORT must be an integer from 0 to 65535, got "${process.env.EMULATOR_PORT}"`);
    process.exit(1);
  }

  const emulator = create(apiKey);
  const url = await emulator.listen(port, host);
  // A key of one's own is not printed.
  const shown = apiKey === 'emulator-key' ? apiKey : '<EMULATOR_API_KEY>';
  console.log(`${label} emulator listening on ${url} (Bearer ${shown})`);

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      emulator.close().then(() => process.exit(0));
    });
  }
}
