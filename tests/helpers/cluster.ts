import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { ROOT } from './server.js';

/**
 * Several Gatepost instances as processes of their own on one PostgreSQL database, behind Debian's nginx
 * (round robin): what a city runs. For tests (tests/api/city-scale.test.ts) and the benchmark
 * (bench/cityscale.ts). Instances run tests/helpers/instance.ts (server/main.ts on a given clock).
 */

/** Debian's nginx is /usr/sbin/nginx, not on a non-root PATH. NGINX_PATH picks another. */
export function nginxPath(): string | undefined {
  const candidates = process.env.NGINX_PATH !== undefined ? [process.env.NGINX_PATH] : ['/usr/sbin/nginx', '/usr/bin/nginx'];
  return candidates.find((p) => p && fs.existsSync(p));
}

export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

async function waitForPort(port: number, alive: () => boolean, what: string, ms = 30_000) {
  const until = Date.now() + ms;
  for (;;) {
    if (!alive()) throw new Error(`${what} exited before it listened`);
    const ok = await new Promise<boolean>((r) => {
      const sock = net.connect(port, '127.0.0.1', () => {
        sock.end();
        r(true);
      });
      sock.on('error', () => r(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`${what} did not listen on ${port} within ${ms / 1000} s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface Instance {
  port: number;
  url: string;
  proc: ChildProcess;
  output: string[];
  /** SIGKILL: no shutdown handler runs, open transactions are cut off. */
  kill(): Promise<void>;
  /** Start it again on the same port (the clock goes on from where the cluster's is now). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface Cluster {
  instances: Instance[];
  /** nginx, round robin over the instances. */
  url: string;
  port: number;
  nginxLog(): string;
  stop(): Promise<void>;
}

/** nginx's temporary folders, in the cluster's folder rather than /var/lib/nginx. */
const TEMP_DIRS = ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'];

function exited(proc: ChildProcess): Promise<void> {
  return proc.exitCode !== null || proc.signalCode !== null ? Promise.resolve() : new Promise((r) => proc.once('exit', () => r()));
}

async function stopProcess(proc: ChildProcess) {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const done = exited(proc);
  proc.kill('SIGTERM');
  await Promise.race([done, new Promise((r) => setTimeout(r, 5_000))]);
  if (proc.exitCode === null && proc.signalCode === null) {
    proc.kill('SIGKILL');
    await done;
  }
}

/**
 * Start `count` instances on `databaseUrl` (migrated already) and nginx in front. `startsAt` is the
 * cluster's clock at this moment; it flows from there, for every instance and every restart.
 */
export async function startCluster(o: { databaseUrl: string; count: number; dir: string; startsAt: string; log?: boolean }): Promise<Cluster> {
  const nginx = nginxPath();
  if (!nginx) throw new Error('no nginx');
  const t0 = performance.now();
  const clock = () => new Date(Date.parse(o.startsAt) + (performance.now() - t0)).toISOString();
  fs.mkdirSync(o.dir, { recursive: true });
  // Run as root, nginx's workers are `nobody`: they must be able to enter the folder and write bodies to disk.
  fs.chmodSync(o.dir, 0o755);

  const spawnInstance = (port: number, output: string[]) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'tests/helpers/instance.ts')], {
      cwd: ROOT,
      env: {
        ...process.env,
        DATABASE_URL: o.databaseUrl,
        PORT: String(port),
        HOST: '127.0.0.1',
        DATA_DIR: path.join(o.dir, `data-${port}`),
        TRUST_PROXY: 'true',
        LOG_REQUESTS: 'false',
        GATEPOST_TEST_NOW: clock(),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (d: Buffer) => {
      output.push(d.toString());
      if (o.log) process.stderr.write(`[${port}] ${d}`);
    };
    proc.stdout!.on('data', keep);
    proc.stderr!.on('data', keep);
    return proc;
  };

  const instances: Instance[] = [];
  for (let i = 0; i < o.count; i++) {
    const port = await freePort();
    const output: string[] = [];
    const inst: Instance = {
      port,
      url: `http://127.0.0.1:${port}`,
      proc: spawnInstance(port, output),
      output,
      async kill() {
        const done = exited(inst.proc);
        inst.proc.kill('SIGKILL');
        await done;
      },
      async restart() {
        inst.proc = spawnInstance(port, output);
        const proc = inst.proc;
        await waitForPort(port, () => proc.exitCode === null, `instance on ${port} (${output.join('').slice(-500)})`);
      },
      stop: () => stopProcess(inst.proc),
    };
    instances.push(inst);
  }
  await Promise.all(instances.map((inst) => waitForPort(inst.port, () => inst.proc.exitCode === null, `instance on ${inst.port}: ${inst.output.join('')}`)));

  for (const sub of TEMP_DIRS) {
    fs.mkdirSync(path.join(o.dir, sub), { recursive: true });
    fs.chmodSync(path.join(o.dir, sub), 0o777);
  }
  const port = await freePort();
  fs.writeFileSync(
    path.join(o.dir, 'nginx.conf'),
    [
      'daemon off;',
      'worker_processes 1;',
      `pid ${o.dir}/nginx.pid;`,
      `error_log ${o.dir}/error.log warn;`,
      'events { worker_connections 512; }',
      'http {',
      '  access_log off;',
      ...TEMP_DIRS.map((k) => `  ${k === 'body' ? 'client_body' : k}_temp_path ${o.dir}/${k};`),
      // Round robin (nginx's default). An instance that refuses connections is passed over for 2 s, and the
      // request goes to the next (nginx does this only for a request it has not yet sent on).
      '  upstream gatepost {',
      ...instances.map((inst) => `    server 127.0.0.1:${inst.port} max_fails=1 fail_timeout=2s;`),
      '    keepalive 16;',
      '  }',
      '  server {',
      `    listen 127.0.0.1:${port};`,
      '    client_max_body_size 16m;',
      '    proxy_set_header Host $http_host;',
      '    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
      '    proxy_set_header X-Forwarded-Proto $scheme;',
      '    proxy_http_version 1.1;',
      '    proxy_set_header Connection "";',
      '    location / { proxy_pass http://gatepost; }',
      '    location ~ ^/api/compounds/[0-9]+/live$ { proxy_pass http://gatepost; proxy_buffering off; proxy_cache off; gzip off; proxy_read_timeout 1h; }',
      '  }',
      '}',
      '',
    ].join('\n'),
  );
  const proc = spawn(nginx, ['-p', o.dir, '-c', path.join(o.dir, 'nginx.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  proc.stderr!.on('data', (d) => fs.appendFileSync(path.join(o.dir, 'error.log'), d));
  await waitForPort(port, () => proc.exitCode === null, `nginx (${fs.existsSync(path.join(o.dir, 'error.log')) ? fs.readFileSync(path.join(o.dir, 'error.log'), 'utf8') : ''})`);
  return {
    instances,
    url: `http://127.0.0.1:${port}`,
    port,
    nginxLog: () => (fs.existsSync(path.join(o.dir, 'error.log')) ? fs.readFileSync(path.join(o.dir, 'error.log'), 'utf8') : ''),
    async stop() {
      await stopProcess(proc);
      await Promise.all(instances.map((i) => i.stop()));
    },
  };
}

export interface Reply {
  status: number;
  body: string;
}

/** One HTTP request on a connection of its own (a tablet's), or a network error. */
export function request(url: string, method: string, o: { headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers: o.headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(o.body);
  });
}

/**
 * An upload cut off: the whole body announced, and only `fraction` of it sent before the connection is
 * dropped (1: all of it sent, and the connection dropped before the answer is read).
 */
export function cutOffUpload(url: string, headers: Record<string, string>, body: string, fraction: number): Promise<void> {
  return new Promise((resolve) => {
    const bytes = Buffer.from(body);
    const u = new URL(url);
    const sock = net.connect(Number(u.port), u.hostname, () => {
      const head = [`POST ${u.pathname} HTTP/1.1`, `Host: ${u.host}`, `Content-Length: ${bytes.length}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), '', ''].join('\r\n');
      sock.write(head);
      sock.write(bytes.subarray(0, Math.floor(bytes.length * fraction)), () => setTimeout(() => sock.destroy(), fraction >= 1 ? 5 : 20));
    });
    sock.on('error', () => {});
    sock.on('close', () => resolve());
  });
}
