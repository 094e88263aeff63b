import { parseEnv } from '@hookline/core';
import { ConfigView, connectKafka, connectProducer } from '@hookline/kafka';
import { closeServer, createLogger, createMetricsRegistry, listen, runService } from '@hookline/service';
import { Store } from '@hookline/store';
import { defaultWebDir } from './admin-page.js';
import { createConfigApiApp } from './app.js';
import { configApiEnvSchema } from './env.js';

const env = parseEnv(configApiEnvSchema);
const logger = createLogger('config-api', env.LOG_LEVEL);

await runService(logger, async () => {
  const { kafka, topics } = await connectKafka(env, 'hookline-config-api', logger);
  const store = await Store.connect(env.MONGO_URL, env.MONGO_DB);
  const config = new ConfigView(kafka, topics.config, logger);
  await config.start();
  const producer = await connectProducer(kafka);
  const metrics = createMetricsRegistry('config-api');
  const app = createConfigApiApp({ config, producer, store, logger, metrics, rootToken: env.HOOKLINE_ROOT_TOKEN, retryTiers: env.HOOKLINE_RETRY_TIERS, requireHttps: env.HOOKLINE_MODE === 'production', topics, kafka, testTimeoutMs: env.CONFIG_API_TEST_TIMEOUT_MS, eventTypes: { schemaRegistryUrl: env.SCHEMA_REGISTRY_URL, topicPrefix: env.HOOKLINE_TOPIC_PREFIX }, adminPage: { webDir: env.CONFIG_API_WEB_DIR ?? defaultWebDir, ingestPublicUrl: env.HOOKLINE_INGEST_PUBLIC_URL } });
  const { server, port } = await listen(app, env.CONFIG_API_PORT, env.CONFIG_API_HOST);
  logger.info({ url: `http://${env.CONFIG_API_HOST}:${port}` }, 'config-api listening');
  return {
    async stop() {
      await closeServer(server);
      await producer.disconnect();
      await config.stop();
      await store.close();
    },
  };
});
