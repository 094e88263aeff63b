import { parseEnv } from '@hookline/core';
import { BatchingProducer, ConfigView, connectKafka, connectProducer, kafkaHealthChecks } from '@hookline/kafka';
import { closeServer, createLogger, createMetricsRegistry, listen, runService } from '@hookline/service';
import { IdempotencyKeys, IncomingCalls } from '@hookline/store';
import { createIngestApp } from './app.js';
import { ingestEnvSchema } from './env.js';
import { configurePublishing } from './publish.js';

const env = parseEnv(ingestEnvSchema);
const logger = createLogger('ingest', env.LOG_LEVEL);
configurePublishing({ stallMs: env.INGEST_PUBLISH_STALL_MS });

await runService(logger, async () => {
  const { kafka, topics } = await connectKafka(env, 'hookline-ingest', logger);
  const config = new ConfigView(kafka, topics.config, logger);
  await config.start();
  const producer = await connectProducer(kafka);
  const idempotency = await IdempotencyKeys.connect(env.MONGO_URL, env.MONGO_DB, { waitMs: env.INGEST_IDEMPOTENCY_WAIT_MS });
  const metrics = createMetricsRegistry('ingest');
  const health = { ...kafkaHealthChecks({ config, producer }), mongo: async () => (await idempotency.ping(), { ok: true }) };
  const events = new BatchingProducer(producer);
  const app = createIngestApp({ config, producer: events, topics, logger, metrics, idempotency, maxBodyBytes: env.INGEST_MAX_BODY_BYTES, incomingCalls: new IncomingCalls(idempotency.collection.db), health });
  const { server, port } = await listen(app, env.INGEST_PORT, env.INGEST_HOST);
  logger.info({ url: `http://${env.INGEST_HOST}:${port}` }, 'ingest listening');
  return {
    async stop() {
      await closeServer(server);
      await events.drain();
      await producer.disconnect();
      await config.stop();
      await idempotency.close();
    },
  };
});
