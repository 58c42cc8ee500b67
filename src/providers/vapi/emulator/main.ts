// `npm run emulator`: the Vapi emulator as a standalone server, for tests, benchmarks and demos.
import { VapiEmulator } from './emulator.ts';

const port = Number(process.env.EMULATOR_PORT ?? 4010);
const host = process.env.EMULATOR_HOST ?? '127.0.0.1';
const apiKey = process.env.EMULATOR_API_KEY ?? 'emulator-key';

if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`EMULATOR_PORT must be an integer from 0 to 65535, got "${process.env.EMULATOR_PORT}"`);
  process.exit(1);
}

const emulator = new VapiEmulator(apiKey);
const url = await emulator.listen(port, host);
console.log(
  `Vapi emulator listening on ${url} (Bearer ${apiKey === 'emulator-key' ? apiKey : '<EMULATOR_API_KEY>'})`,
);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    emulator.close().then(() => process.exit(0));
  });
}
