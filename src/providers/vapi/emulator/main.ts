// `npm run emulator`: the Vapi emulator as a standalone server, for tests, benchmarks and demos.
import { serveStandalone } from '../../standalone-emulator.ts';
import { VapiEmulator } from './emulator.ts';

await serveStandalone('Vapi', (apiKey) => new VapiEmulator(apiKey));
