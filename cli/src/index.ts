export { program, run } from './main.js';
export { parseRawRequest, type RawRequest } from './raw-request.js';
export { schemeFor, verifyRequest, type SchemeOptions, type Verdict } from './verification.js';
