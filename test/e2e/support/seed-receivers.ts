/**
 * Receivers written from each seed's own verification example (../shared/seeds), so a passing test means a
 * subscriber following that product's documentation accepts our deliveries.
 */
import crypto from 'node:crypto';
import type { ReceivedRequest } from '@hookline/testkit';
import { Webhook } from 'standardwebhooks';

export type SeedVerifier = (request: ReceivedRequest, secret: string) => boolean;

/** thig.ai: webhook-id / webhook-timestamp / webhook-signature headers, i.e. Standard Webhooks. */
export const thigVerifier: SeedVerifier = (request, secret) => {
  try {
    new Webhook(secret).verify(request.body, request.headers as Record<string, string>);
    return true;
  } catch {
    return false;
  }
};

/** Twig (twig-webhooks.txt, Node.js/Express): hex HMAC of the raw body in X-Twig-Signature. */
export const twigVerifier: SeedVerifier = (request, secret) => {
  const signature = request.headers['x-twig-signature'] as string;
  const payload = Buffer.from(request.body);
  function verifySignature(payload: Buffer, signature: string) {
    const expected = crypto.createHmac('sha256', secret).update(payload).digest('hex');
    return signature.length === expected.length && crypto.timingSafeEqual(Buffer.from(signature), Buffer.from(expected));
  }
  return typeof signature === 'string' && verifySignature(payload, signature);
};

/**
 * Task app (taskapp-webhooks.txt): `verifyWebhook(JSON.stringify(req.body), signature, secret)`. Its Security
 * section gives the header as `X-Webhook-Signature: sha256=<hex>`, so the prefix is taken off first.
 */
export const taskappVerifier: SeedVerifier = (request, secret) => {
  function verifyWebhook(payload: string, signature: string, secret: string) {
    const expectedSignature = crypto.createHmac('sha256', secret).update(payload).digest('hex');
    return signature.length === expectedSignature.length && crypto.timingSafeEqual(Buffer.from(signature), Buffer.from(expectedSignature));
  }
  const signature = String(request.headers['x-webhook-signature'] ?? '').replace(/^sha256=/, '');
  const payload = JSON.stringify(JSON.parse(request.body));
  return (
    verifyWebhook(payload, signature, secret) && Boolean(request.headers['x-webhook-id']) && Boolean(request.headers['x-webhook-timestamp'])
  );
};

/** ThreadHound documents no signature; its receivers check the envelope shape. */
export const threadhoundVerifier: SeedVerifier = (request) => {
  const body = JSON.parse(request.body);
  return typeof body.webhookType === 'string' && typeof body.actionType === 'string' && typeof body.payload === 'object';
};
