import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { checkLanAccess, ConfigError, defaultDataDir, loadConfig, modelIdFromPath, parseModelFlag } from './config.loader';

const KEY_A = 'key-aaaaaaaa';
const KEY_B = 'key-bbbbbbbb';

describe('loadConfig', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'llamanest-config-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  /** Writes a YAML config file into the temp folder and returns its path. */
  function configFile(yaml: string, name = 'llamanest.yaml'): string {
    const path = join(dir, name);
    writeFileSync(path, yaml);
    return path;
  }

  function configError(load: () => unknown): ConfigError {
    try {
      load();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return error as ConfigError;
    }
    throw new Error('expected a ConfigError');
  }

  describe('defaults', () => {
    it('listens on 127.0.0.1:8080 with no models, no keys and the platform data folder', () => {
      const config = loadConfig({}, {});
      const dataDir = resolve(defaultDataDir());
      expect(config).toEqual({
        host: '127.0.0.1',
        port: 8080,
        insecureNoAuth: false,
        bodyLimit: '10mb',
        maxQueue: 64,
        drainTimeout: 30,
        discovery: { enabled: false },
        dataDir,
        modelsDir: join(dataDir, 'models'),
        auth: { keys: [] },
        models: [],
        preload: false,
        idleTimeout: 0,
        metrics: true,
        cpuThreadpool: true,
        hugePages: true,
        inlineWork: true,
        soloDecode: true,
        offThreadWrites: true,
        logFormat: 'auto',
        logLevel: 'info',
        tls: { selfSigned: false },
        cors: { origins: [] },
        network: { allow: [] },
      });
    });

    it('puts the data folder under Application Support on macOS and ~/.local/share elsewhere', () => {
      expect(defaultDataDir('darwin', '/Users/ann')).toBe('/Users/ann/Library/Application Support/llamanest');
      expect(defaultDataDir('linux', '/home/ann')).toBe('/home/ann/.local/share/llamanest');
    });

    it('gives each model parallel 4, gpuLayers auto, no aliases and no embedding-only mode unless set', () => {
      const config = loadConfig({ models: ['/m/a.gguf'] }, {});
      expect(config.models).toEqual([
        { id: 'a', path: '/m/a.gguf', parallel: 4, gpuLayers: 'auto', aliases: [], embedding: false, preload: false, idleTimeout: 0 },
      ]);
    });
  });

  describe('config file', () => {
    it('reads settings and per-model options from YAML', () => {
      const path = configFile(`
host: 127.0.0.2
port: 9000
maxQueue: 3
bodyLimit: 1mb
modelsDir: /srv/models
auth:
  keys: [${KEY_A}]
models:
  - id: small
    path: /models/small.gguf
    contextSize: 2048
    parallel: 2
    gpuLayers: 10
    threads: 3
    aliases: [gpt-4o-mini, tiny]
  - path: /models/big.gguf
    gpuLayers: max
    embedding: true
`);
      const config = loadConfig({ config: path }, {});
      expect(config).toMatchObject({ host: '127.0.0.2', port: 9000, maxQueue: 3, bodyLimit: '1mb', modelsDir: '/srv/models', auth: { keys: [KEY_A] } });
      expect(config.models).toEqual([
        {
          id: 'small',
          path: '/models/small.gguf',
          contextSize: 2048,
          parallel: 2,
          gpuLayers: 10,
          threads: 3,
          aliases: ['gpt-4o-mini', 'tiny'],
          embedding: false,
          preload: false,
          idleTimeout: 0,
        },
        { id: 'big', path: '/models/big.gguf', parallel: 4, gpuLayers: 'max', aliases: [], embedding: true, preload: false, idleTimeout: 0 },
      ]);
    });

    it('resolves relative model paths against the folder of the config file', () => {
      const path = configFile('models:\n  - path: weights/a.gguf\n  - path: ../b.gguf\n');
      const config = loadConfig({ config: path }, {});
      expect(config.models.map((m) => m.path)).toEqual([join(dir, 'weights', 'a.gguf'), resolve(dir, '..', 'b.gguf')]);
    });

    it('resolves relative data and models folders against the folder of the config file', () => {
      const path = configFile('dataDir: state\nmodelsDir: ../weights\n');
      const config = loadConfig({ config: path }, {});
      expect(config.dataDir).toBe(join(dir, 'state'));
      expect(config.modelsDir).toBe(resolve(dir, '..', 'weights'));
    });

    it('treats an empty file as no settings', () => {
      expect(loadConfig({ config: configFile('') }, {}).port).toBe(8080);
    });

    it('takes the config file path from LLAMANEST_CONFIG over --config', () => {
      const fromFlag = configFile('port: 1111\n', 'flag.yaml');
      const fromEnv = configFile('port: 2222\n', 'env.yaml');
      expect(loadConfig({ config: fromFlag }, { LLAMANEST_CONFIG: fromEnv }).port).toBe(2222);
    });

    it('reports a missing file, invalid YAML and a non-mapping document with the file name', () => {
      const missing = join(dir, 'nope.yaml');
      expect(configError(() => loadConfig({ config: missing }, {})).message).toContain(`cannot read config file ${missing}`);
      const broken = configFile('port: [1, 2\n', 'broken.yaml');
      expect(configError(() => loadConfig({ config: broken }, {})).message).toContain(`config file ${broken} is not valid YAML`);
      const list = configFile('- a\n- b\n', 'list.yaml');
      expect(configError(() => loadConfig({ config: list }, {})).message).toBe(`config file ${list} must hold a mapping of settings`);
    });
  });

  describe('precedence', () => {
    it('lets flags override the file', () => {
      const path = configFile('host: 127.0.0.2\nport: 9000\nmaxQueue: 3\nmodels:\n  - path: /file/model.gguf\n');
      const config = loadConfig({ config: path, port: 7000, maxQueue: 5, models: ['cli=/cli/model.gguf'] }, {});
      expect(config.host).toBe('127.0.0.2');
      expect(config.port).toBe(7000);
      expect(config.maxQueue).toBe(5);
      expect(config.models.map((m) => m.id)).toEqual(['cli']);
    });

    it('lets LLAMANEST_* environment variables override flags and file', () => {
      const path = configFile('host: 127.0.0.2\nport: 9000\nmaxQueue: 3\nbodyLimit: 1mb\n');
      const config = loadConfig(
        { config: path, port: 7000, host: '127.0.0.3', maxQueue: 5, dataDir: '/flag/data', modelsDir: '/flag/models', models: ['/flag/a.gguf'] },
        {
          LLAMANEST_HOST: 'localhost',
          LLAMANEST_PORT: '6000',
          LLAMANEST_MAX_QUEUE: '0',
          LLAMANEST_BODY_LIMIT: '20mb',
          LLAMANEST_DATA_DIR: '/env/data',
          LLAMANEST_MODELS_DIR: '/env/models',
          LLAMANEST_MODELS: '/env/x.gguf, y=/env/y.gguf',
        },
      );
      expect(config).toMatchObject({ host: 'localhost', port: 6000, maxQueue: 0, bodyLimit: '20mb', dataDir: '/env/data', modelsDir: '/env/models' });
      expect(config.models.map((m) => [m.id, m.path])).toEqual([
        ['x', '/env/x.gguf'],
        ['y', '/env/y.gguf'],
      ]);
    });

    it('resolves relative --model paths against the working directory, not the config file folder', () => {
      const path = configFile('port: 9000\n');
      const config = loadConfig({ config: path, models: ['weights/a.gguf'] }, {});
      expect(config.models[0].path).toBe(resolve(process.cwd(), 'weights', 'a.gguf'));
    });

    it('puts modelsDir under the data folder unless set', () => {
      const config = loadConfig({ dataDir: '/var/llamanest' }, {});
      expect(config.modelsDir).toBe('/var/llamanest/models');
    });
  });

  describe('--model', () => {
    it('takes the id from the file name without .gguf', () => {
      expect(loadConfig({ models: ['/models/Qwen3-0.6B-Q8_0.gguf'] }, {}).models[0]).toMatchObject({
        id: 'Qwen3-0.6B-Q8_0',
        path: '/models/Qwen3-0.6B-Q8_0.gguf',
      });
    });

    it('accepts id=path', () => {
      expect(loadConfig({ models: ['qwen=/models/q.gguf'] }, {}).models[0]).toMatchObject({ id: 'qwen', path: '/models/q.gguf' });
    });

    it('keeps hf: URIs as they are', () => {
      const [plain, named] = loadConfig({ models: ['hf:owner/repo/file-Q4_K_M.gguf', 'mine=hf:owner/repo:Q4_K_M'] }, {}).models;
      expect(plain).toMatchObject({ id: 'file-Q4_K_M', path: 'hf:owner/repo/file-Q4_K_M.gguf' });
      expect(named).toMatchObject({ id: 'mine', path: 'hf:owner/repo:Q4_K_M' });
    });

    it('keeps https URLs as they are', () => {
      expect(loadConfig({ models: ['https://example.com/m/tiny.gguf'] }, {}).models[0]).toMatchObject({
        id: 'tiny',
        path: 'https://example.com/m/tiny.gguf',
      });
    });

    it('parses flags and file names into ids', () => {
      expect(parseModelFlag('a=./a.gguf')).toEqual({ id: 'a', path: './a.gguf' });
      expect(parseModelFlag('./dir=x/a.gguf')).toEqual({ path: './dir=x/a.gguf' });
      expect(parseModelFlag('hf:o/r:Q8_0')).toEqual({ path: 'hf:o/r:Q8_0' });
      expect(modelIdFromPath('/x/Model.GGUF')).toBe('Model');
      expect(modelIdFromPath('hf:o/r/sub/file.gguf')).toBe('file');
      expect(modelIdFromPath('hf:bartowski/Llama-3.2-3B-Instruct-GGUF:Q4_K_M')).toBe('Llama-3.2-3B-Instruct-GGUF:Q4_K_M');
      expect(modelIdFromPath('hf:o/r:sub/file-Q8_0.gguf')).toBe('file-Q8_0');
    });
  });

  describe('model lifecycle and observability settings', () => {
    it('reads preload, idleTimeout (seconds or a duration), maxLoadedModels, memoryBudget and metrics from the file, per model too', () => {
      const path = configFile(`
preload: true
idleTimeout: 15m
maxLoadedModels: 2
memoryBudget: 12gb
metrics: false
models:
  - path: /m/a.gguf
  - path: /m/b.gguf
    preload: false
    idleTimeout: 90
  - path: /m/c.gguf
    idleTimeout: 500ms
`);
      const config = loadConfig({ config: path }, {});
      expect(config).toMatchObject({ preload: true, idleTimeout: 900, maxLoadedModels: 2, memoryBudget: 12 * 1024 ** 3, metrics: false });
      expect(config.models.map((m) => [m.id, m.preload, m.idleTimeout])).toEqual([
        ['a', true, 900],
        ['b', false, 90],
        ['c', true, 0.5],
      ]);
    });

    it('takes them from flags and LLAMANEST_* variables, env last', () => {
      const flags = { preload: true, idleTimeout: '2s', maxLoadedModels: 1, memoryBudget: '512mb', metrics: false };
      expect(loadConfig(flags, {})).toMatchObject({ preload: true, idleTimeout: 2, maxLoadedModels: 1, memoryBudget: 512 * 1024 ** 2, metrics: false });
      const env = { LLAMANEST_PRELOAD: 'false', LLAMANEST_IDLE_TIMEOUT: '30', LLAMANEST_MAX_LOADED_MODELS: '3', LLAMANEST_MEMORY_BUDGET: '1gb', LLAMANEST_METRICS: 'true', LLAMANEST_LOG_LEVEL: 'warn' };
      expect(loadConfig(flags, env)).toMatchObject({ preload: false, idleTimeout: 30, maxLoadedModels: 3, memoryBudget: 1024 ** 3, metrics: true, logLevel: 'warn' });
    });

    it('turns the CPU threadpool off from the file or LLAMANEST_CPU_THREADPOOL, and rejects a non-boolean', () => {
      expect(loadConfig({}, { LLAMANEST_CPU_THREADPOOL: 'false' }).cpuThreadpool).toBe(false);
      expect(loadConfig({}, { LLAMANEST_CPU_THREADPOOL: 'true' }).cpuThreadpool).toBe(true);
      expect(configError(() => loadConfig({}, { LLAMANEST_CPU_THREADPOOL: 'sometimes' })).message).toContain('LLAMANEST_CPU_THREADPOOL');
    });

    it('turns huge pages off from LLAMANEST_HUGE_PAGES, and rejects a non-boolean', () => {
      expect(loadConfig({}, { LLAMANEST_HUGE_PAGES: 'false' }).hugePages).toBe(false);
      expect(loadConfig({}, { LLAMANEST_HUGE_PAGES: 'true' }).hugePages).toBe(true);
      expect(configError(() => loadConfig({}, { LLAMANEST_HUGE_PAGES: 'sometimes' })).message).toContain('LLAMANEST_HUGE_PAGES');
    });

    it('turns inline work off from the file or LLAMANEST_INLINE_WORK, and rejects a non-boolean', () => {
      expect(loadConfig({}, { LLAMANEST_INLINE_WORK: 'false' }).inlineWork).toBe(false);
      expect(configError(() => loadConfig({}, { LLAMANEST_INLINE_WORK: 'maybe' })).message).toContain('LLAMANEST_INLINE_WORK');
    });

    it('turns solo decoding off from LLAMANEST_SOLO_DECODE, and rejects a non-boolean', () => {
      expect(loadConfig({}, { LLAMANEST_SOLO_DECODE: 'false' }).soloDecode).toBe(false);
      expect(configError(() => loadConfig({}, { LLAMANEST_SOLO_DECODE: 'maybe' })).message).toContain('LLAMANEST_SOLO_DECODE');
    });

    it('turns off-thread writes off from LLAMANEST_OFF_THREAD_WRITES, and rejects a non-boolean', () => {
      expect(loadConfig({}, { LLAMANEST_OFF_THREAD_WRITES: 'false' }).offThreadWrites).toBe(false);
      expect(configError(() => loadConfig({}, { LLAMANEST_OFF_THREAD_WRITES: 'maybe' })).message).toContain('LLAMANEST_OFF_THREAD_WRITES');
    });

    it('rejects malformed durations, sizes and metrics switches, naming the setting', () => {
      expect(configError(() => loadConfig({ idleTimeout: 'soon' }, {})).message).toContain('  - idleTimeout: must be seconds or a duration like 90s, 15m, 1h');
      expect(configError(() => loadConfig({ memoryBudget: 'lots' }, {})).message).toContain('  - memoryBudget: must look like 512mb or 12gb');
      expect(configError(() => loadConfig({ maxLoadedModels: 0 }, {})).message).toContain('  - maxLoadedModels: ');
      expect(configError(() => loadConfig({}, { LLAMANEST_METRICS: 'maybe' })).message).toBe('LLAMANEST_METRICS must be true or false, got "maybe"');
      expect(configError(() => loadConfig({}, { LLAMANEST_LOG_LEVEL: 'loud' })).message).toContain('  - logLevel: ');
    });
  });

  describe('validation', () => {
    it('names the field of an invalid top-level value', () => {
      const error = configError(() => loadConfig({ port: 70000 }, {}));
      expect(error.message).toMatch(/^invalid configuration:\n {2}- port: /);
    });

    it('names the model field and the file of an invalid per-model value', () => {
      const path = configFile('models:\n  - path: /a.gguf\n    parallel: 0\n');
      const error = configError(() => loadConfig({ config: path }, {}));
      expect(error.message).toContain(`(file ${path},`);
      expect(error.message).toContain('  - models.0.parallel: ');
    });

    it('rejects unknown settings in the file (typos must not be ignored silently)', () => {
      const error = configError(() => loadConfig({ config: configFile('prot: 9000\n') }, {}));
      expect(error.message).toContain('(root)');
      expect(error.message).toContain('prot');
    });

    it('rejects gpuLayers other than auto, max or a whole number', () => {
      const path = configFile('models:\n  - path: /a.gguf\n    gpuLayers: all\n');
      expect(configError(() => loadConfig({ config: path }, {})).message).toContain('models.0.gpuLayers');
    });

    it('rejects a model id with a slash', () => {
      const path = configFile('models:\n  - id: a/b\n    path: /a.gguf\n');
      expect(configError(() => loadConfig({ config: path }, {})).message).toContain('  - models.0.id: must not contain spaces or slashes');
    });

    it('rejects a malformed body limit', () => {
      expect(configError(() => loadConfig({}, { LLAMANEST_BODY_LIMIT: '10 megabytes' })).message).toContain('  - bodyLimit: must look like 512kb or 10mb');
    });

    it('names the environment variable of a non-numeric or non-boolean value', () => {
      expect(configError(() => loadConfig({}, { LLAMANEST_PORT: 'eighty' })).message).toBe('LLAMANEST_PORT must be a number, got "eighty"');
      expect(configError(() => loadConfig({}, { LLAMANEST_INSECURE_NO_AUTH: 'maybe' })).message).toBe(
        'LLAMANEST_INSECURE_NO_AUTH must be true or false, got "maybe"',
      );
    });

    it('rejects a model id used twice', () => {
      const error = configError(() => loadConfig({ models: ['a=/x.gguf', 'a=/y.gguf'] }, {}));
      expect(error.message).toBe('model name "a" is used twice (ids and aliases must be unique)');
    });

    it('rejects an alias that equals another model id or alias', () => {
      const clash = configFile('models:\n  - path: /m/tiny.gguf\n  - path: /m/big.gguf\n    aliases: [tiny]\n', 'clash.yaml');
      expect(configError(() => loadConfig({ config: clash }, {})).message).toContain('model name "tiny" is used twice');
      const twice = configFile('models:\n  - path: /m/a.gguf\n    aliases: [gpt]\n  - path: /m/b.gguf\n    aliases: [gpt]\n', 'twice.yaml');
      expect(configError(() => loadConfig({ config: twice }, {})).message).toContain('model name "gpt" is used twice');
    });
  });

  describe('network', () => {
    it('reads TLS from flags and env, resolving file paths, and the file relative to itself', () => {
      expect(loadConfig({ tlsCert: 'c.pem', tlsKey: 'k.pem' }, {}).tls).toEqual({ cert: resolve('c.pem'), key: resolve('k.pem'), selfSigned: false });
      expect(loadConfig({}, { LLAMANEST_TLS_SELF_SIGNED: 'true' }).tls).toEqual({ selfSigned: true });
      const path = configFile('tls:\n  cert: certs/c.pem\n  key: certs/k.pem\n', 'tls.yaml');
      expect(loadConfig({ config: path }, {}).tls).toEqual({ cert: join(dir, 'certs/c.pem'), key: join(dir, 'certs/k.pem'), selfSigned: false });
    });

    it('requires the TLS certificate and key together, and not with selfSigned', () => {
      expect(configError(() => loadConfig({ tlsCert: 'c.pem' }, {})).message).toContain('tls.cert and tls.key must be given together');
      expect(configError(() => loadConfig({ tlsCert: 'c.pem', tlsKey: 'k.pem', tlsSelfSigned: true }, {})).message).toContain('not both');
    });

    it('reads CORS origins and the client allowlist from file and env, validating CIDR', () => {
      const path = configFile('cors:\n  origins: [https://app.lan]\nnetwork:\n  allow: [192.168.1.0/24, 10.0.0.7, "fd00::/8"]\n', 'net.yaml');
      const config = loadConfig({ config: path }, {});
      expect(config.cors.origins).toEqual(['https://app.lan']);
      expect(config.network.allow).toEqual(['192.168.1.0/24', '10.0.0.7', 'fd00::/8']);
      expect(loadConfig({}, { LLAMANEST_CORS_ORIGINS: 'http://a, http://b', LLAMANEST_ALLOW: '10.0.0.0/8' })).toMatchObject({
        cors: { origins: ['http://a', 'http://b'] },
        network: { allow: ['10.0.0.0/8'] },
      });
      expect(configError(() => loadConfig({}, { LLAMANEST_ALLOW: '10.0.0.0/33' })).message).toContain('network.allow.0: must be an IP address or a CIDR');
      expect(configError(() => loadConfig({}, { LLAMANEST_ALLOW: 'lan' })).message).toContain('network.allow.0');
    });
  });

  describe('authentication', () => {
    it('refuses a non-loopback host without API keys', () => {
      const error = configError(() => checkLanAccess(loadConfig({ host: '0.0.0.0' }, {}), false));
      expect(error.message).toContain('refusing to listen on 0.0.0.0 without API keys');
      expect(error.message).toContain('--insecure-no-auth');
    });

    it.each(['127.0.0.1', '127.1.2.3', 'localhost', '::1'])('allows loopback host %s without keys', (host) => {
      expect(() => checkLanAccess(loadConfig({ host }, {}), false)).not.toThrow();
    });

    it('allows a LAN host once managed keys exist', () => {
      expect(() => checkLanAccess(loadConfig({ host: '0.0.0.0' }, {}), true)).not.toThrow();
    });

    it('serves without keys on the LAN only when insecureNoAuth is set by flag, env or file', () => {
      for (const config of [
        loadConfig({ host: '0.0.0.0', insecureNoAuth: true }, {}),
        loadConfig({ host: '0.0.0.0' }, { LLAMANEST_INSECURE_NO_AUTH: 'yes' }),
        loadConfig({ config: configFile('host: 192.168.1.5\ninsecureNoAuth: true\n') }, {}),
      ]) {
        expect(config.insecureNoAuth).toBe(true);
        expect(() => checkLanAccess(config, false)).not.toThrow();
      }
    });

    it('lets LLAMANEST_INSECURE_NO_AUTH=false withdraw the file setting', () => {
      const path = configFile('host: 0.0.0.0\ninsecureNoAuth: true\n');
      expect(configError(() => checkLanAccess(loadConfig({ config: path }, { LLAMANEST_INSECURE_NO_AUTH: 'false' }), false)).message).toContain('refusing to listen');
    });

    it('enables keys from LLAMANEST_API_KEYS, overriding the file, and then allows any host', () => {
      const path = configFile(`host: 0.0.0.0\nauth:\n  keys: [${KEY_A}]\n`);
      const config = loadConfig({ config: path }, { LLAMANEST_API_KEYS: ` ${KEY_B} ,${KEY_A},` });
      expect(config.auth.keys).toEqual([KEY_B, KEY_A]);
      expect(config.host).toBe('0.0.0.0');
      expect(() => checkLanAccess(config, false)).not.toThrow();
    });

    it('allows a LAN host with keys from the file', () => {
      expect(loadConfig({ config: configFile(`host: 0.0.0.0\nauth:\n  keys: [${KEY_A}]\n`) }, {}).auth.keys).toEqual([KEY_A]);
    });

    it('rejects API keys shorter than 8 characters, naming the key', () => {
      expect(configError(() => loadConfig({}, { LLAMANEST_API_KEYS: `${KEY_A},short` })).message).toContain(
        '  - auth.keys.1: API keys must be at least 8 characters',
      );
    });
  });
  describe('shutdown and discovery', () => {
    it('drains for 30 seconds and does not advertise by default', () => {
      const config = loadConfig({}, {});
      expect(config.drainTimeout).toBe(30);
      expect(config.discovery).toEqual({ enabled: false });
    });

    it('takes drainTimeout from the file, --drain-timeout and LLAMANEST_DRAIN_TIMEOUT in that order', () => {
      const file = configFile('drainTimeout: 5\n');
      expect(loadConfig({ config: file }, {}).drainTimeout).toBe(5);
      expect(loadConfig({ config: file, drainTimeout: 7 }, {}).drainTimeout).toBe(7);
      expect(loadConfig({ config: file, drainTimeout: 7 }, { LLAMANEST_DRAIN_TIMEOUT: '0.5' }).drainTimeout).toBe(0.5);
    });

    it('rejects a negative drain timeout, naming the setting', () => {
      expect(configError(() => loadConfig({}, { LLAMANEST_DRAIN_TIMEOUT: '-1' })).message).toContain('drainTimeout');
    });

    it('accepts discovery as a boolean or an object, and env switches it and picks the interface', () => {
      expect(loadConfig({ config: configFile('discovery: true\n') }, {}).discovery).toEqual({ enabled: true });
      const file = configFile('discovery:\n  name: Studio LLM\n');
      expect(loadConfig({ config: file }, {}).discovery).toEqual({ enabled: true, name: 'Studio LLM' });
      expect(loadConfig({ config: file }, { LLAMANEST_DISCOVERY: 'false' }).discovery).toEqual({ enabled: false, name: 'Studio LLM' });
      expect(loadConfig({ discovery: true }, { LLAMANEST_DISCOVERY_INTERFACE: '127.0.0.1' }).discovery).toEqual({
        enabled: true,
        interface: '127.0.0.1',
      });
    });

    it('rejects a discovery interface that is not an IPv4 address', () => {
      const error = configError(() => loadConfig({ discovery: true }, { LLAMANEST_DISCOVERY_INTERFACE: 'en0' }));
      expect(error.message).toContain('discovery.interface: must be an IPv4 address');
    });
  });
});
