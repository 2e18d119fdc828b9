import * as http from 'node:http';

export function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => { body += chunk; });
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** ArangoDB's error body: `{ error: true, code, errorNum, errorMessage }` (HTTP API "General request handling"). */
export function sendArangoError(res: http.ServerResponse, code: number, errorNum: number, errorMessage: string): void {
  sendJson(res, code, { error: true, code, errorNum, errorMessage });
}

/** Listens on 127.0.0.1 (port 0: the kernel picks a free one) and returns the port. */
export function listen(server: http.Server, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as { port: number }).port);
    });
  });
}

/** Closes the listener and drops open keep-alive connections: a stopped process refuses connections. */
export function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
