/**
 * deploy/ agrees with the code it deploys, without Docker: deploy/compose.yaml, the Dockerfiles
 * and the nginx files are read as text and checked against the api's config schema
 * (apps/api/src/config/config.ts), its health endpoints (src/http/health.controller.ts), the
 * web app's one setting, each other's ports, and what scripts/cluster.sh renders from them.
 *
 * compose.yaml is read by the small YAML reader below, not a YAML library (none is in the
 * lockfile): block mappings and sequences, quoted and plain scalars, flow sequences of scalars,
 * comments. It throws on anything else (anchors, aliases, merge keys, block scalars, flow
 * mappings), so compose.yaml must keep to that subset.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/config.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

// --- a YAML subset ------------------------------------------------------------------------------

type Yaml = string | null | Yaml[] | { [key: string]: Yaml };
interface Line {
  number: number;
  indent: number;
  text: string;
}

/** Cuts a trailing comment: a `#` at the start or after a space, outside quotes. */
function withoutComment(text: string): string {
  let quote: string | null = null;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (quote) {
      if (char === quote) quote = null;
    } else if ((char === '"' || char === "'") && (i === 0 || /[\s[,:-]/.test(text[i - 1] ?? ''))) {
      quote = char;
    } else if (char === '#' && (i === 0 || /\s/.test(text[i - 1] ?? ''))) {
      return text.slice(0, i).trimEnd();
    }
  }
  return text.trimEnd();
}

function parseScalar(raw: string, line: Line): Yaml {
  const text = raw.trim();
  const fail = (why: string) => {
    throw new Error(`compose.yaml line ${line.number}: ${why}: ${text}`);
  };
  if (text === '' || text === '~' || text === 'null') return null;
  if (/^[&*!|>{]/.test(text))
    fail('unsupported YAML (anchor, alias, tag, block scalar or flow map)');
  if (text.startsWith('"')) {
    if (!/^"(?:[^"\\]|\\.)*"$/.test(text)) fail('unterminated double-quoted scalar');
    return JSON.parse(text) as string;
  }
  if (text.startsWith("'")) {
    if (!/^'(?:[^']|'')*'$/.test(text)) fail('unterminated single-quoted scalar');
    return text.slice(1, -1).replace(/''/g, "'");
  }
  if (text.startsWith('[')) {
    if (!text.endsWith(']')) fail('flow sequences must stay on one line');
    const items: string[] = [];
    let current = '';
    let quote: string | null = null;
    for (const char of text.slice(1, -1)) {
      if (quote) {
        if (char === quote) quote = null;
      } else if (char === '"' || char === "'") {
        quote = char;
      } else if (char === ',') {
        items.push(current);
        current = '';
        continue;
      } else if (char === '[' || char === '{') {
        fail('nested flow collections');
      }
      current += char;
    }
    if (current.trim() !== '') items.push(current);
    return items.map((item) => parseScalar(item, line));
  }
  if (/:(\s|$)/.test(text) || /\s#/.test(text)) fail('plain scalar with ": " or " #": quote it');
  return text;
}

function parseYamlSubset(source: string): Yaml {
  const lines: Line[] = [];
  source.split('\n').forEach((rawLine, index) => {
    if (/^\s*\t/.test(rawLine)) throw new Error(`compose.yaml line ${index + 1}: tab indentation`);
    const text = withoutComment(rawLine);
    if (text.trim() === '') return;
    if (/^(---|\.\.\.)(\s|$)/.test(text)) {
      throw new Error(`compose.yaml line ${index + 1}: one document only`);
    }
    const indent = text.length - text.trimStart().length;
    lines.push({ number: index + 1, indent, text: text.trimStart() });
  });
  let position = 0;
  const isItem = (line: Line) => line.text === '-' || line.text.startsWith('- ');

  function parseBlock(indent: number): Yaml {
    const first = lines[position];
    if (!first || first.indent !== indent) throw new Error('compose.yaml: bad indentation');
    return isItem(first) ? parseSequence(indent) : parseMapping(indent);
  }

  function parseNested(parent: Line): Yaml {
    const next = lines[position];
    return next && next.indent > parent.indent ? parseBlock(next.indent) : null;
  }

  function parseMapping(indent: number): Yaml {
    const map: { [key: string]: Yaml } = {};
    for (let line = lines[position]; line && line.indent === indent; line = lines[position]) {
      if (isItem(line)) throw new Error(`compose.yaml line ${line.number}: item inside a mapping`);
      const match = /^('(?:[^']|'')*'|"(?:[^"\\]|\\.)*"|[^\s'"#][^:]*?)\s*:(?:\s+(.*))?$/.exec(
        line.text,
      );
      if (!match)
        throw new Error(`compose.yaml line ${line.number}: not "key: value": ${line.text}`);
      const key = String(parseScalar(match[1] ?? '', line));
      if (key === '<<') throw new Error(`compose.yaml line ${line.number}: merge keys`);
      if (key in map) throw new Error(`compose.yaml line ${line.number}: duplicate key ${key}`);
      position += 1;
      map[key] = match[2] === undefined ? parseNested(line) : parseScalar(match[2], line);
    }
    const stray = lines[position];
    if (stray && stray.indent > indent) {
      throw new Error(`compose.yaml line ${stray.number}: bad indentation`);
    }
    return map;
  }

  function parseSequence(indent: number): Yaml {
    const items: Yaml[] = [];
    for (let line = lines[position]; line && line.indent === indent; line = lines[position]) {
      if (!isItem(line)) break;
      const rest = line.text.slice(1).trimStart();
      if (rest === '') {
        position += 1;
        items.push(parseNested(line));
      } else if (/^('(?:[^']|'')*'|"(?:[^"\\]|\\.)*"|[^\s'"[#][^:]*?)\s*:(\s|$)/.test(rest)) {
        // `- key: value`: a mapping whose first key sits after the dash.
        lines[position] = { number: line.number, indent: indent + 2, text: rest };
        items.push(parseMapping(indent + 2));
      } else {
        position += 1;
        items.push(parseScalar(rest, line));
      }
    }
    return items;
  }

  const document = parseBlock(lines[0]?.indent ?? 0);
  if (position !== lines.length) {
    throw new Error(`compose.yaml line ${lines[position]?.number}: unexpected indentation`);
  }
  return document;
}

/** Compose's interpolation: ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, $VAR, $$. */
function interpolate(value: string, env: Record<string, string>): string {
  return value.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (whole, braced?: string, operator?: string, argument?: string, bare?: string) => {
      if (whole === '$$') return '$';
      const name = (braced ?? bare) as string;
      const set = env[name];
      const empty = set === undefined || (operator?.startsWith(':') && set === '');
      if (operator?.endsWith('-')) return empty ? (argument ?? '') : (set as string);
      if (operator?.endsWith('?') && empty) throw new Error(`${name}: ${argument}`);
      return set ?? '';
    },
  );
}

// --- what the repository says -------------------------------------------------------------------

type Service = { [key: string]: Yaml };
const compose = parseYamlSubset(read('deploy/compose.yaml')) as { [key: string]: Yaml };
const services = compose.services as { [name: string]: Service };
const apiNames = Object.keys(services)
  .filter((name) => /^api-\d+$/.test(name))
  .sort();

/** The keys of the zod schema in config.ts, as scripts/cluster/lib.sh reads them too. */
function configSchemaKeys(): string[] {
  const source = read('apps/api/src/config/config.ts');
  const body = /^const configSchema = z\.object\(\{\n([\s\S]*?)^\}\);/m.exec(source)?.[1] ?? '';
  return [...body.matchAll(/^ {2}([A-Z][A-Z0-9_]*):/gm)].map((match) => match[1] as string);
}
const CONFIG_KEYS = new Set(configSchemaKeys());
/** Read by Node or the libraries, not by the api's config. */
const RUNTIME_ENV = new Set(['NODE_ENV']);
/** The web app's settings (README: DUPLEX_API_URL at request time, PORT and HOSTNAME). */
const WEB_ENV = new Set([
  'DUPLEX_API_URL',
  'PORT',
  'HOSTNAME',
  'NODE_ENV',
  'NEXT_TELEMETRY_DISABLED',
]);

/** GET routes of the health controller (no path prefix), e.g. /health. */
function healthRoutes(): Set<string> {
  const source = read('apps/api/src/http/health.controller.ts');
  expect(source).toMatch(/@Controller\(\)/);
  return new Set([...source.matchAll(/@Get\('([^']+)'\)/g)].map((match) => `/${match[1]}`));
}

interface Dockerfile {
  from: string[];
  env: Map<string, string>;
  expose: number[];
  healthcheck: string;
  text: string;
}
/** The instructions of a Dockerfile's last stage (the image that runs). */
function dockerfile(path: string): Dockerfile {
  const text = read(path);
  const instructions = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const from = instructions.filter((line) => /^FROM\s/i.test(line));
  const lastStage = instructions.slice(instructions.lastIndexOf(from[from.length - 1] ?? ''));
  const env = new Map<string, string>();
  const expose: number[] = [];
  let healthcheck = '';
  for (const line of lastStage) {
    const [instruction = '', ...rest] = line.split(/\s+/);
    if (/^ENV$/i.test(instruction)) {
      if (rest.every((pair) => pair.includes('='))) {
        for (const pair of rest)
          env.set(pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1));
      } else {
        env.set(rest[0] ?? '', rest.slice(1).join(' '));
      }
    } else if (/^EXPOSE$/i.test(instruction)) {
      expose.push(...rest.map((port) => Number.parseInt(port, 10)));
    } else if (/^HEALTHCHECK$/i.test(instruction)) {
      healthcheck = rest.join(' ');
    }
  }
  return { from: from.map((line) => line.split(/\s+/)[1] ?? ''), env, expose, healthcheck, text };
}
const apiImage = dockerfile('deploy/api.Dockerfile');
const webImage = dockerfile('deploy/web.Dockerfile');

interface Upstream {
  directives: string[];
  servers: { host: string; port: number; parameters: string }[];
}
function upstreams(text: string): Map<string, Upstream> {
  const found = new Map<string, Upstream>();
  for (const match of text.matchAll(/^\s*upstream\s+(\w+)\s*\{([^}]*)\}/gm)) {
    const body = (match[2] ?? '')
      .split('\n')
      .map((line) => line.replace(/#.*/, '').trim())
      .join(' ');
    const directives = body
      .split(';')
      .map((directive) => directive.trim())
      .filter(Boolean);
    const servers = directives
      .filter((directive) => directive.startsWith('server '))
      .map((directive) => {
        const [, address = '', ...parameters] = directive.split(/\s+/);
        const colon = address.lastIndexOf(':');
        return {
          host: address.slice(0, colon),
          port: Number(address.slice(colon + 1)),
          parameters: parameters.join(' '),
        };
      });
    found.set(match[1] ?? '', { directives, servers });
  }
  return found;
}

/** `location` blocks of nginx.conf (none of them nests braces), by their match expression. */
function locations(text: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const match of text.matchAll(/location\s+([^{]+?)\s*\{([^}]*)\}/g)) {
    found.set((match[1] ?? '').trim(), match[2] ?? '');
  }
  return found;
}

const SAMPLE_ENV = {
  POSTGRES_PASSWORD: 'compose-test-password',
  IDENTITY_SECRET: 'a-test-identity-secret-of-32-chars',
  TURN_SECRET: 'a-test-turn-secret',
};
function environment(service: Service): Record<string, string> {
  const env = service.environment;
  const pairs: [string, string][] = Array.isArray(env)
    ? env.map((entry) => {
        const text = String(entry);
        return [text.slice(0, text.indexOf('=')), text.slice(text.indexOf('=') + 1)];
      })
    : Object.entries((env ?? {}) as Record<string, Yaml>).map(([key, value]) => [
        key,
        value === null ? '' : String(value),
      ]);
  return Object.fromEntries(pairs.map(([key, value]) => [key, interpolate(value, SAMPLE_ENV)]));
}
const strings = (value: Yaml | undefined): string[] =>
  Array.isArray(value) ? value.map((item) => String(item)) : value ? [String(value)] : [];

// --- the checks ---------------------------------------------------------------------------------

describe('the YAML subset reader', () => {
  it('reads mappings, sequences, sequences of mappings, quoted scalars and flow sequences', () => {
    expect(
      parseYamlSubset(
        [
          'a: 1 # comment',
          'b:',
          '  - x',
          "  - 'y: z'",
          '  - k: v',
          '    l: "w #"',
          'c: [CMD, "a b"]',
          'd:',
        ].join('\n'),
      ),
    ).toEqual({ a: '1', b: ['x', 'y: z', { k: 'v', l: 'w #' }], c: ['CMD', 'a b'], d: null });
  });

  it('refuses what it does not read', () => {
    expect(() => parseYamlSubset('a: &anchor 1')).toThrow(/unsupported/);
    expect(() => parseYamlSubset('a:\n  <<: *x')).toThrow();
    expect(() => parseYamlSubset('a: |\n  text')).toThrow(/unsupported/);
    expect(() => parseYamlSubset('a: b: c')).toThrow(/quote it/);
    expect(() => parseYamlSubset('a: 1\na: 2')).toThrow(/duplicate/);
  });
});

describe('deploy/compose.yaml', () => {
  it('runs PostgreSQL, Redis, coturn, several identical api instances, the web app and nginx', () => {
    expect(Object.keys(services)).toEqual(
      expect.arrayContaining(['postgres', 'redis', 'coturn', 'web', 'nginx']),
    );
    expect(apiNames.length).toBeGreaterThanOrEqual(2);
    const [first, ...others] = apiNames.map((name) => services[name]);
    for (const other of others) expect(other).toEqual(first);
  });

  it('sets only settings the api has, and loadConfig accepts them', () => {
    const env = environment(services[apiNames[0] as string] as Service);
    const unknown = Object.keys(env).filter(
      (key) => !CONFIG_KEYS.has(key) && !RUNTIME_ENV.has(key),
    );
    expect(unknown, `not in the config schema of apps/api/src/config/config.ts`).toEqual([]);
    const config = loadConfig(env);
    expect(config.databaseUrl, 'DATABASE_URL').toBeDefined();
    expect(config.redis, 'REDIS_URL').toBeDefined();
    expect(config.identitySecret, 'IDENTITY_SECRET').toBeDefined();
    expect(config.trustProxy, 'TRUST_PROXY (nginx in front)').not.toBe(false);
    expect(config.host).toBe('0.0.0.0');
    // The URLs name services of this file, on their default ports.
    const database = new URL(config.databaseUrl as string);
    expect(database.hostname in services && database.hostname).toBe('postgres');
    expect(database.port).toBe('5432');
    const redis = new URL(config.redis?.url as string);
    expect(redis.hostname in services && redis.hostname).toBe('redis');
    expect(redis.port).toBe('6379');
  });

  it('gives the api the TURN secret coturn has, on the port turnserver.conf listens on', () => {
    const config = loadConfig(environment(services[apiNames[0] as string] as Service));
    const coturn = services.coturn as Service;
    const secret = strings(coturn.command)
      .map((argument) => interpolate(argument, SAMPLE_ENV))
      .find((argument) => argument.startsWith('--static-auth-secret='));
    expect(secret?.slice('--static-auth-secret='.length)).toBe(config.ice.turnSecret);
    expect(strings(coturn.volumes)).toContain('./turnserver.conf:/etc/coturn/turnserver.conf:ro');
    const turnConf = read('deploy/turnserver.conf');
    const listening = /^listening-port=(\d+)$/m.exec(turnConf)?.[1];
    expect(config.ice.turnUrls.length).toBeGreaterThan(0);
    for (const url of config.ice.turnUrls) expect(url).toMatch(new RegExp(`:${listening}\\?`));
    // No placeholder secret that coturn would accept next to the real one.
    expect(turnConf).not.toMatch(/^static-auth-secret=/m);
  });

  it('points the web app at the origin the api allows, and sets only what the web app reads', () => {
    const web = environment(services.web as Service);
    for (const key of Object.keys(web)) expect(WEB_ENV.has(key), key).toBe(true);
    expect(read('apps/web/app/layout.tsx')).toContain('process.env.DUPLEX_API_URL');
    const api = loadConfig(environment(services[apiNames[0] as string] as Service));
    expect(api.allowedOrigins).toContain(web.DUPLEX_API_URL);
  });

  it('uses one api port everywhere: compose, the Dockerfile, nginx upstreams, health checks', () => {
    const env = environment(services[apiNames[0] as string] as Service);
    const port = loadConfig(env).port;
    expect(apiImage.expose).toEqual([port]);
    expect(Number(apiImage.env.get('PORT'))).toBe(port);
    const api = upstreams(read('deploy/duplex-upstreams.conf')).get('duplex_api');
    expect(api?.servers.map((server) => server.host).sort()).toEqual(apiNames);
    for (const server of api?.servers ?? []) expect(server.port).toBe(port);
    const check = strings((services[apiNames[0] as string]?.healthcheck as Service).test).join(' ');
    const url = /http:\/\/127\.0\.0\.1:(\d+)(\/[a-z]*)/.exec(check);
    expect(Number(url?.[1])).toBe(port);
    expect(['/health', '/ready']).toContain(url?.[2]);
    expect(healthRoutes().has(url?.[2] ?? '')).toBe(true);
  });

  it('uses one web port everywhere', () => {
    const port = Number(environment(services.web as Service).PORT);
    expect(webImage.expose).toEqual([port]);
    expect(Number(webImage.env.get('PORT'))).toBe(port);
    const web = upstreams(read('deploy/duplex-upstreams.conf')).get('duplex_web');
    expect(web?.servers).toEqual([expect.objectContaining({ host: 'web', port })]);
    const check = strings((services.web?.healthcheck as Service).test).join(' ');
    expect(check).toContain(`http://127.0.0.1:${port}/`);
  });

  it('runs nginx on deploy/nginx.conf and its includes, publishing the port it listens on', () => {
    const nginx = services.nginx as Service;
    const command = strings(nginx.command);
    const conf = command[command.indexOf('-c') + 1] ?? '';
    const confDir = conf.slice(0, conf.lastIndexOf('/'));
    const volumes = strings(nginx.volumes);
    for (const file of ['nginx.conf', 'duplex-upstreams.conf', 'duplex-listen.conf']) {
      expect(volumes).toContain(`./${file}:${confDir}/${file}:ro`);
    }
    expect(command).toContain('-p');
    const listen = /^\s*listen\s+(?:[\d.]+:)?(\d+)\s*;/m.exec(read('deploy/duplex-listen.conf'));
    const published = strings(nginx.ports).map((mapping) => interpolate(mapping, SAMPLE_ENV));
    expect(published.map((mapping) => mapping.split(':').pop())).toContain(listen?.[1]);
    const dependsOn = Object.keys((nginx.depends_on ?? {}) as Service);
    expect(dependsOn).toEqual(expect.arrayContaining([...apiNames, 'web']));
  });
});

describe('deploy/*.Dockerfile', () => {
  it('set only settings the api and the web app read', () => {
    for (const key of apiImage.env.keys()) {
      expect(CONFIG_KEYS.has(key) || RUNTIME_ENV.has(key), `api.Dockerfile ENV ${key}`).toBe(true);
    }
    for (const key of webImage.env.keys())
      expect(WEB_ENV.has(key), `web.Dockerfile ENV ${key}`).toBe(true);
  });

  it('check health on a real endpoint of the api', () => {
    const path = /127\.0\.0\.1:'\s*\+\s*process\.env\.PORT\s*\+\s*'(\/[a-z]*)'/.exec(
      apiImage.healthcheck,
    );
    expect(['/health', '/ready']).toContain(path?.[1]);
    expect(healthRoutes().has(path?.[1] ?? '')).toBe(true);
  });

  it('build on one Node LTS line (even major, at least the engines minimum) with the pinned pnpm', () => {
    const images = new Set([...apiImage.from, ...webImage.from]);
    expect(images.size).toBe(1);
    const major = Number(/^node:(\d+)-/.exec([...images][0] ?? '')?.[1]);
    const rootPackage = JSON.parse(read('package.json')) as {
      engines: { node: string };
      packageManager: string;
    };
    expect(major % 2).toBe(0);
    expect(major).toBeGreaterThanOrEqual(Number(/\d+/.exec(rootPackage.engines.node)?.[0]));
    const pnpm = rootPackage.packageManager.replace(/^pnpm@/, '');
    for (const image of [apiImage, webImage]) expect(image.text).toContain(`pnpm@${pnpm}`);
  });
});

describe('deploy/nginx.conf', () => {
  const conf = read('deploy/nginx.conf');
  const byPath = locations(conf);

  it('includes the upstreams and the listen line', () => {
    expect(conf).toMatch(/^\s*include duplex-upstreams\.conf;/m);
    expect(conf).toMatch(/^\s*include duplex-listen\.conf;/m);
  });

  it('passes WebSocket upgrades on /ws to the api with long timeouts', () => {
    const ws = byPath.get('/ws') ?? '';
    expect(ws).toMatch(/proxy_pass http:\/\/duplex_api;/);
    expect(ws).toMatch(/proxy_http_version 1\.1;/);
    expect(ws).toMatch(/proxy_set_header Upgrade \$http_upgrade;/);
    expect(ws).toMatch(/proxy_set_header Connection \$connection_upgrade;/);
    for (const directive of ['proxy_read_timeout', 'proxy_send_timeout']) {
      const value = new RegExp(`${directive} (\\d+)([smh]?);`).exec(ws);
      const seconds = Number(value?.[1]) * ({ s: 1, m: 60, h: 3600 }[value?.[2] || 's'] ?? 1);
      expect(seconds, directive).toBeGreaterThanOrEqual(600);
    }
  });

  it('sends /api, /health and /ready to the api, / to the web app, and keeps /metrics in', () => {
    const api = [...byPath.entries()].find(([path]) => path.startsWith('~'));
    const pattern = new RegExp((api?.[0] ?? '').replace(/^~\s*/, ''));
    for (const path of ['/api/rooms', '/health', '/ready'])
      expect(pattern.test(path), path).toBe(true);
    expect(pattern.test('/metrics')).toBe(false);
    expect(api?.[1]).toMatch(/proxy_pass http:\/\/duplex_api;/);
    expect(byPath.get('/')).toMatch(/proxy_pass http:\/\/duplex_web;/);
    expect(byPath.get('= /metrics')).toMatch(/deny all;|return 40\d;/);
  });

  it('balances the api round robin with passive health checks, shared between workers', () => {
    const api = upstreams(read('deploy/duplex-upstreams.conf')).get('duplex_api');
    for (const directive of api?.directives ?? []) {
      expect(directive, 'no sticky sessions').not.toMatch(
        /^(ip_hash|hash|sticky|least_conn|random)\b/,
      );
    }
    expect(api?.directives.some((directive) => directive.startsWith('zone '))).toBe(true);
    for (const server of api?.servers ?? []) {
      expect(server.parameters).toMatch(/max_fails=\d+/);
      expect(server.parameters).toMatch(/fail_timeout=\d+s/);
    }
  });
});

describe('scripts/cluster.sh', () => {
  const hasBash = spawnSync('bash', ['--version']).status === 0;

  it.skipIf(!hasBash)(
    'renders the upstreams from the template: loopback ports, same parameters',
    () => {
      const rendered = execFileSync(
        'bash',
        [
          'scripts/cluster/render-upstreams.sh',
          'deploy/duplex-upstreams.conf',
          '4101,4102',
          '4100',
        ],
        { cwd: ROOT, encoding: 'utf8' },
      );
      const template = upstreams(read('deploy/duplex-upstreams.conf'));
      const local = upstreams(rendered);
      expect(local.get('duplex_api')?.servers).toEqual([
        {
          host: '127.0.0.1',
          port: 4101,
          parameters: template.get('duplex_api')?.servers[0]?.parameters,
        },
        {
          host: '127.0.0.1',
          port: 4102,
          parameters: template.get('duplex_api')?.servers[0]?.parameters,
        },
      ]);
      expect(local.get('duplex_web')?.servers).toEqual([
        {
          host: '127.0.0.1',
          port: 4100,
          parameters: template.get('duplex_web')?.servers[0]?.parameters,
        },
      ]);
    },
  );

  it.skipIf(!hasBash)('reads the same config keys as this test', () => {
    const keys = execFileSync('bash', ['-c', 'source scripts/cluster/lib.sh && api_config_keys'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(keys.trim().split('\n')).toEqual([...CONFIG_KEYS]);
    expect(CONFIG_KEYS.has('DATABASE_URL') && CONFIG_KEYS.has('PORT')).toBe(true);
  });

  const nginx = ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/local/nginx/sbin/nginx'].find(
    (path) => existsSync(path),
  );
  it.skipIf(!hasBash || !nginx)(
    'has nginx accept deploy/nginx.conf with the rendered includes',
    () => {
      const prefix = mkdtempSync(join(tmpdir(), 'duplex-nginx-test-'));
      try {
        copyFileSync(join(ROOT, 'deploy/nginx.conf'), join(prefix, 'nginx.conf'));
        writeFileSync(
          join(prefix, 'duplex-upstreams.conf'),
          execFileSync(
            'bash',
            [
              'scripts/cluster/render-upstreams.sh',
              'deploy/duplex-upstreams.conf',
              '4101,4102,4103',
              '4100',
            ],
            { cwd: ROOT, encoding: 'utf8' },
          ),
        );
        // As scripts/cluster.sh writes it: the access log goes to stderr, which must be a pipe
        // (as under scripts/cluster.sh and Docker), not the socket spawnSync would give nginx.
        writeFileSync(
          join(prefix, 'duplex-listen.conf'),
          'listen 127.0.0.1:4099;\naccess_log /dev/stderr duplex if=$duplex_api_request;\n',
        );
        const result = spawnSync(
          'bash',
          [
            '-c',
            'set -o pipefail; "$0" -t -p "$1/" -c "$1/nginx.conf" -e stderr 2>&1 | cat',
            nginx as string,
            prefix,
          ],
          { encoding: 'utf8' },
        );
        expect(result.status, result.stdout).toBe(0);
      } finally {
        rmSync(prefix, { recursive: true, force: true });
      }
    },
  );
});
