export type VerificationFailure =
  | 'missing_signature'
  | 'missing_timestamp'
  | 'timestamp_out_of_tolerance'
  | 'signature_mismatch'
  | 'invalid_secret';

/** Why a delivery did not verify, as a machine-readable reason and a message. */
export class WebhookVerificationFailed extends Error {
  constructor(
    readonly reason: VerificationFailure,
    message: string,
  ) {
    super(message);
    this.name = 'WebhookVerificationFailed';
  }
}
