import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../helpers/server.js';

type Server = Awaited<ReturnType<typeof startServer>>;
let server: Server;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.stop());

/** One HTTP/1.1 request on a raw keep-alive socket; resolves with the status line and headers. */
function rawRequest(port: number, head: string, body: Buffer): Promise<{ status: number; headers: Record<string, string>; socketClosed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const socketClosed = new Promise<void>((r) => socket.once('close', () => r()));
    let got = '';
    socket.on('error', () => {}); // the server may cut the rest of our upload
    socket.on('data', (d) => {
      got += d.toString('latin1');
      const end = got.indexOf('\r\n\r\n');
      if (end < 0) return;
      const [statusLine, ...lines] = got.slice(0, end).split('\r\n');
      const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      resolve({ status: Number(statusLine!.split(' ')[1]), headers, socketClosed });
    });
    socket.once('connect', () => {
      socket.write(head);
      socket.write(body);
    });
    setTimeout(() => reject(new Error('no answer')), 10_000);
  });
}

describe('a body over the limit', () => {
  it('is answered 413 with Connection: close (the rest of the body is still coming), and the server goes on serving', async () => {
    const port = Number(new URL(server.url).port);
    const size = 17 * 1024 * 1024; // over the sync limit of 16 MB
    const head = `POST /api/device/sync HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${size}\r\nConnection: keep-alive\r\n\r\n`;
    const res = await rawRequest(port, head, Buffer.alloc(64 * 1024, 0x20));
    expect(res.status).toBe(413);
    expect(res.headers.connection).toBe('close');
    await res.socketClosed;
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
  });
});
