import { parseEnv } from '@hookline/core';
import { ConfigView, connectKafka, connectProducer } from '@hookline/kafka';
import { closeServer, createHttpApp, createLogger, createMetricsRegistry, listen, runService } from '@hookline/service';
import { deliveryEnvSchema } from './env.js';
import { Sender } from './sender.js';
import { startDeliveryWorker } from './worker.js';

const env = parseEnv(deliveryEnvSchema);
const logger = createLogger('delivery', env.LOG_LEVEL);

await runService(logger, async () => {
  const { kafka, topics } = await connectKafka(env, 'hookline-delivery', logger);
  const config = new ConfigView(kafka, topics.config, logger);
  await config.start();
  const producer = await connectProducer(kafka);
  const metrics = createMetricsRegistry('delivery');
  const sender = new Sender({ timeoutMs: env.DELIVERY_TIMEOUT_MS, responseExcerptBytes: env.DELIVERY_RESPONSE_EXCERPT_BYTES });
  const consumer = await startDeliveryWorker({
    kafka, topics, config, producer, sender, logger, metrics,
    groupId: env.DELIVERY_GROUP_ID,
    partitionsConsumedConcurrently: env.HOOKLINE_TOPIC_PARTITIONS,
  });
  const { server } = await listen(createHttpApp({ logger, metrics }), env.DELIVERY_PORT);
  return {
    async stop() {
      await consumer.disconnect();
      await producer.disconnect();
      await config.stop();
      await closeServer(server);
    },
  };
});
