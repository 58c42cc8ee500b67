// `npm run emulator:retell`: the Retell emulator as a standalone server, for tests, benchmarks and demos.
import { serveStandalone } from '../../standalone-emulator.ts';
import { RetellEmulator } from './emulator.ts';

await serveStandalone('Retell', (apiKey) => new RetellEmulator(apiKey));
