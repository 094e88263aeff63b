export { program, run } from './main.js';
export { parseRawRequest, type RawRequest } from './raw-request.js';
export { type SchemeOptions, schemeFor, type Verdict, verifyRequest } from './verification.js';
