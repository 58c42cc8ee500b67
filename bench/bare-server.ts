// The framework's limit for the benchmark: a bare Fastify route answering a stored assistant from memory.
import Fastify from 'fastify';

const assistant = {
  id: '2f0e6c1e-8a51-4a3c-9f59-2a9f1c1d0b11',
  name: 'Bench',
  model: {
    provider: 'openai',
    model: 'gpt-4o',
    temperature: 0.5,
    messages: [{ role: 'system', content: 'You are benchmarked.' }],
  },
  voice: { provider: 'openai', voiceId: 'alloy' },
  createdAt: new Date().toISOString(),
  updatedAt: new Date().toISOString(),
};

const app = Fastify({ logger: false });
app.get('/assistant', async () => assistant);
await app.listen({ port: Number(process.env.PORT ?? 4020), host: '127.0.0.1' });
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
