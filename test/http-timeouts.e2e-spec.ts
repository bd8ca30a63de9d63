import { connect, type Socket } from 'node:net';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * The server does not wait forever on a client. The timeouts are short here so the test ends soon; the
 * bound each waits for is generous (the checks run on a loaded machine): what matters is that the server
 * closes the socket at all, where with Fastify's defaults it never did.
 */
describe('the web server closes slow and idle connections', () => {
  const BOUND_MS = 20_000;
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ HTTP_REQUEST_TIMEOUT: '1s', HTTP_CONNECTION_TIMEOUT: '2s', HTTP_KEEP_ALIVE_TIMEOUT: '1s' });
  });
  afterAll(() => t.close());

  const open = (): Promise<Socket> =>
    new Promise((resolve, reject) => {
      const socket = connect(Number(new URL(t.baseUrl).port), '127.0.0.1', () => resolve(socket));
      socket.once('error', reject);
    });

  /** Resolves with what the server sent once it closes the socket; fails if it is still open after BOUND_MS. */
  const closedByServer = (socket: Socket): Promise<string> =>
    new Promise((resolve, reject) => {
      let received = '';
      socket.setEncoding('latin1');
      socket.on('data', (chunk: string) => {
        received += chunk;
      });
      socket.on('error', () => undefined); // a reset is a close too
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`the server left the socket open for ${BOUND_MS} ms; it sent: ${JSON.stringify(received)}`));
      }, BOUND_MS);
      socket.once('close', () => {
        clearTimeout(timer);
        resolve(received);
      });
    });

  it('answers 408 and closes a request whose headers trickle in a byte at a time', async () => {
    const socket = await open();
    const closed = closedByServer(socket);
    socket.write('GET /health HTTP/1.1\r\nHost: recovery.test\r\nX-Slow: ');
    // Never silent long enough for the connection timeout: only the request timeout can end this.
    const drip = setInterval(() => {
      if (!socket.destroyed) socket.write('a');
    }, 200);
    try {
      expect(await closed).toMatch(/^HTTP\/1\.1 408 /);
    } finally {
      clearInterval(drip);
    }
  });

  it('closes a request whose body trickles in after complete headers', async () => {
    const socket = await open();
    const closed = closedByServer(socket);
    socket.write('POST /api/v1/tickets HTTP/1.1\r\nHost: recovery.test\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{');
    const drip = setInterval(() => {
      if (!socket.destroyed) socket.write(' ');
    }, 200);
    try {
      expect(await closed).toMatch(/^HTTP\/1\.1 408 /);
    } finally {
      clearInterval(drip);
    }
  });

  it('closes a connection that never sends anything', async () => {
    const socket = await open();
    await closedByServer(socket);
  });

  it('closes a kept-alive connection once idle after its answer', async () => {
    const socket = await open();
    const closed = closedByServer(socket);
    socket.write('GET /health HTTP/1.1\r\nHost: recovery.test\r\nConnection: keep-alive\r\n\r\n');
    expect(await closed).toMatch(/^HTTP\/1\.1 200 [\s\S]*keep-alive/i);
  });
});
