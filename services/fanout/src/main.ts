import { parseEnv } from '@hookline/core';
import { ConfigView, connectKafka, connectProducer } from '@hookline/kafka';
import { closeServer, createHttpApp, createLogger, createMetricsRegistry, listen, runService } from '@hookline/service';
import { fanoutEnvSchema } from './env.js';
import { startFanout } from './fanout.js';

const env = parseEnv(fanoutEnvSchema);
const logger = createLogger('fanout', env.LOG_LEVEL);

await runService(logger, async () => {
  const { kafka, topics } = await connectKafka(env, 'hookline-fanout', logger);
  const config = new ConfigView(kafka, topics.config, logger);
  await config.start();
  const producer = await connectProducer(kafka);
  const metrics = createMetricsRegistry('fanout');
  const consumer = await startFanout({ kafka, topics, config, producer, logger, metrics, groupId: env.FANOUT_GROUP_ID, schemaRegistryUrl: env.SCHEMA_REGISTRY_URL });
  const { server } = await listen(createHttpApp({ logger, metrics }), env.FANOUT_PORT);
  return {
    async stop() {
      await consumer.disconnect();
      await producer.disconnect();
      await config.stop();
      await closeServer(server);
    },
  };
});
