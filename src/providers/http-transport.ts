// HTTP for the provider clients that need no SDK: node:http(s) with kept-alive connections, one
// attempt per call. Timeouts and retries are the caller's (call-policy.ts), through `signal`.
import http from 'node:http';
import https from 'node:https';

/** An idle connection is closed after this long, before a server is likely to close it under a request. */
const IDLE_MS = 4_000;

export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

export interface HttpRequest {
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
}

/** Sends requests over its own pools of kept-alive connections, one per scheme. */
export class HttpTransport {
  private readonly agents = {
    'http:': new http.Agent({ keepAlive: true, timeout: IDLE_MS }),
    'https:': new https.Agent({ keepAlive: true, timeout: IDLE_MS }),
  };

  /** The answer whatever its status; throws only when there is none (no connection, aborted). */
  send(url: URL, { method, headers, body, signal }: HttpRequest): Promise<HttpAnswer> {
    const secure = url.protocol === 'https:';
    const agent = secure ? this.agents['https:'] : this.agents['http:'];
    return new Promise((resolve, reject) => {
      const request = (secure ? https : http).request(url, { method, headers, agent, signal }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      });
      request.on('error', reject);
      request.end(body);
    });
  }
}
