import { parseEnv } from '@hookline/core';
import { ConfigView, connectKafka, connectProducer } from '@hookline/kafka';
import { closeServer, createHttpApp, createLogger, createMetricsRegistry, listen, runService } from '@hookline/service';
import { Store } from '@hookline/store';
import { projectorEnvSchema } from './env.js';
import { startProjector } from './projector.js';

const env = parseEnv(projectorEnvSchema);
const logger = createLogger('projector', env.LOG_LEVEL);

await runService(logger, async () => {
  const { kafka, topics } = await connectKafka(env, 'hookline-projector', logger);
  const store = await Store.connect(env.MONGO_URL, env.MONGO_DB);
  const config = new ConfigView(kafka, topics.config, logger);
  await config.start();
  const producer = await connectProducer(kafka);
  const metrics = createMetricsRegistry('projector');
  const consumer = await startProjector({ kafka, topics, store, config, producer, logger, metrics, groupId: env.PROJECTOR_GROUP_ID });
  const { server } = await listen(createHttpApp({ logger, metrics }), env.PROJECTOR_PORT);
  return {
    async stop() {
      await consumer.disconnect();
      await producer.disconnect();
      await config.stop();
      await store.close();
      await closeServer(server);
    },
  };
});
