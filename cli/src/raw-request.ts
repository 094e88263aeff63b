/** An HTTP request as pasted or saved from a log: optional request line, headers, blank line, body. */
export interface RawRequest {
  method?: string;
  path?: string;
  /** Lower-cased names; a repeated header's values joined with `, ` as HTTP allows. */
  headers: Record<string, string>;
  body: string;
}

const requestLine = /^([A-Z]+)\s+(\S+)(?:\s+HTTP\/\d(?:\.\d)?)?$/;
const headerLine = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*(.*)$/;

/** Where the head ends: the first empty line (CRLF or LF), and where the body starts after it. */
function headEnd(raw: Buffer): { end: number; bodyStart: number } {
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] !== 0x0a) continue;
    if (raw[i + 1] === 0x0a) return { end: i, bodyStart: i + 2 };
    if (raw[i + 1] === 0x0d && raw[i + 2] === 0x0a) return { end: i, bodyStart: i + 3 };
  }
  return { end: raw.length, bodyStart: raw.length };
}

/**
 * Parses a raw request. The body is taken byte for byte (signatures cover exact bytes); with a Content-Length
 * header only that many bytes count, so a newline an editor added at the end of a saved file does not matter.
 * Throws an Error saying what is wrong when the head is not headers.
 */
export function parseRawRequest(input: Buffer | string): RawRequest {
  const raw = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  const { end, bodyStart } = headEnd(raw);
  const lines = raw.subarray(0, end).toString('utf8').replace(/\r$/, '').split(/\r?\n/);
  const request: RawRequest = { headers: {}, body: '' };
  let first = true;
  let last: string | undefined;
  for (const [index, line] of lines.entries()) {
    if (first && line.trim() === '' && index === 0) continue; // leading blank line of a paste
    const isFirst = first;
    first = false;
    const start = isFirst ? requestLine.exec(line.trim()) : null;
    if (start && !headerLine.test(line)) {
      request.method = start[1];
      request.path = start[2];
      continue;
    }
    if (/^[ \t]/.test(line) && last) {
      request.headers[last] += ` ${line.trim()}`; // obsolete line folding
      continue;
    }
    const header = headerLine.exec(line);
    if (!header) throw new Error(`line ${index + 1} is not a header ("Name: value"): ${line.slice(0, 60)}`);
    last = header[1]!.toLowerCase();
    const value = header[2]!.trimEnd();
    request.headers[last] = last in request.headers ? `${request.headers[last]}, ${value}` : value;
  }
  if (Object.keys(request.headers).length === 0)
    throw new Error('no headers found: give the request as headers, an empty line, then the body');
  let body = raw.subarray(bodyStart);
  const length = Number(request.headers['content-length']);
  if (request.headers['content-length'] !== undefined && Number.isInteger(length) && length >= 0 && length <= body.length)
    body = body.subarray(0, length);
  request.body = body.toString('utf8');
  return request;
}
