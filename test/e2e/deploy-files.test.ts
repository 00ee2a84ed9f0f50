import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { parseDocument } from 'yaml';
import { type ConfigDefaults, loadConfig } from '../../core/config';
import { fcPlatform } from '../../functions/fc/platform';
import { scfPlatform } from '../../functions/scf/platform';
import { PLATFORM_MAJORS } from '../helpers/node-runtimes';
import { DIST, ROOT, ZIPS } from './dist';

/**
 * serverless.yml (Tencent SCF, serverless-components/tencent-scf) and s.yaml (Aliyun FC, Serverless Devs with
 * devsapp/fc3), checked against the fields their components document and against the build. Sources of each
 * list are beside it; the platform facts are in shared/PLATFORMS.md.
 */

/** A YAML file as a plain object, and its YAML errors and warnings (a duplicate key among them). */
function readYaml(file: string): { data: Record<string, unknown>; problems: string[] } {
  const doc = parseDocument(readFileSync(path.join(ROOT, file), 'utf8'));
  return {
    data: doc.toJS() as Record<string, unknown>,
    problems: [...doc.errors, ...doc.warnings].map((e) => e.message),
  };
}

/**
 * Every environment variable oxy reads: the members of core/config/settings.ts's ConfigVar union, read with
 * the TypeScript parser, and the variables core/config.ts reads outside it (OXY_CONFIG_FILE).
 */
function oxyVariables(): string[] {
  const file = path.join(ROOT, 'core/config/settings.ts');
  const text = readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const alias = source.statements.find(
    (s): s is ts.TypeAliasDeclaration => ts.isTypeAliasDeclaration(s) && s.name.text === 'ConfigVar',
  );
  if (!alias || !ts.isUnionTypeNode(alias.type))
    throw new Error('core/config/settings.ts has no ConfigVar union');
  const members = alias.type.types.map((t) => {
    if (!ts.isLiteralTypeNode(t) || !ts.isStringLiteral(t.literal))
      throw new Error('ConfigVar: not a string');
    return t.literal.text;
  });
  const loader = readFileSync(path.join(ROOT, 'core/config.ts'), 'utf8');
  const readDirectly = [...loader.matchAll(/\benv\.(OXY_[A-Z_]+)\b/g)].map((m) => m[1]!);
  return [...new Set([...members, ...readDirectly])].sort();
}

/** The `KEY: value` variables a YAML file names only in comments (examples to uncomment), by name. */
function commentedVariables(file: string): string[] {
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  return [...text.matchAll(/^\s*#\s*([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1]!);
}

/** Checks a function's environment: names oxy reads, within the 4 KB limit, values oxy accepts at start. */
function expectOxyEnvironment(file: string, vars: Record<string, unknown>, defaults: ConfigDefaults): void {
  const known = oxyVariables();
  expect(known).toContain('OXY_TARGET');
  const names = [...Object.keys(vars), ...commentedVariables(file)];
  expect(names.length).toBeGreaterThan(0);
  expect(names.filter((n) => !known.includes(n))).toEqual([]);
  // Both platforms cap a function's variables at 4 KB in all (PLATFORMS.md).
  const size = Object.entries(vars).reduce((n, [k, v]) => n + k.length + String(v).length, 0);
  expect(size).toBeLessThan(4096);
  const env = Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, String(v)]));
  expect(() => loadConfig(env, defaults)).not.toThrow();
}

/** The folder a deploy file points at is the one `npm run bundle` writes: the zip's files, modes included. */
function expectBuildFolder(given: unknown, platform: keyof typeof ZIPS): void {
  expect(typeof given).toBe('string');
  const folder = path.resolve(ROOT, given as string);
  expect(folder).toBe(path.join(DIST, platform));
  const bootstrap = path.join(folder, ZIPS[platform].bootstrap);
  expect(statSync(bootstrap).mode & 0o777).toBe(0o755);
  expect(existsSync(path.join(folder, 'index.js'))).toBe(true);
}

describe('serverless.yml (Tencent SCF web function)', () => {
  const { data: file, problems } = readYaml('serverless.yml');
  const inputs = file.inputs as Record<string, unknown>;

  it('is YAML without errors, warnings or duplicate keys', () => {
    expect(problems).toEqual([]);
  });

  it('uses only the fields the tencent-scf component documents, for a web function', () => {
    // serverless-components/tencent-scf docs/configure.md ("全部配置" and the "主要的参数" table).
    expect(Object.keys(file).sort()).toEqual(['app', 'component', 'inputs', 'name', 'stage']);
    expect(file.component).toBe('scf');
    const documented = [
      ...[
        'src',
        'type',
        'name',
        'namespace',
        'handler',
        'entryFile',
        'role',
        'runtime',
        'region',
        'description',
      ],
      ...[
        'memorySize',
        'timeout',
        'initTimeout',
        'eip',
        'publicAccess',
        'environment',
        'vpcConfig',
        'layers',
      ],
      ...[
        'deadLetter',
        'cls',
        'asyncRunEnable',
        'traceEnable',
        'msgTTL',
        'retryNum',
        'installDependency',
        'tags',
      ],
      ...['cfs', 'ignoreTriggers', 'events', 'image', 'protocolType', 'protocolParams', 'provisionedNum'],
      'qualifier',
    ];
    expect(Object.keys(inputs).filter((k) => !documented.includes(k))).toEqual([]);
    expect(inputs.type).toBe('web');
    expect(Object.keys(inputs.environment as object)).toEqual(['variables']);
  });

  it('deploys the folder npm run bundle writes (dist/scf), scf_bootstrap and all', () => {
    const src = inputs.src as Record<string, unknown>;
    expect(Object.keys(src)).toEqual(['src']);
    expectBuildFolder(src.src, 'scf');
  });

  it('names a Node runtime whose Node scf_bootstrap can pick', () => {
    // The component's list stops at Nodejs16.13 (2022); Nodejs18.15 is the SCF console's Node 18 runtime.
    const runtimes = ['Nodejs10.15', 'Nodejs12.16', 'Nodejs14.18', 'Nodejs16.13', 'Nodejs18.15'];
    expect(runtimes).toContain(inputs.runtime);
    const major = Number(/^Nodejs(\d+)\./.exec(String(inputs.runtime))![1]);
    expect(PLATFORM_MAJORS.scf).toContain(major);
  });

  it('sets the longest execution time SCF allows (900 s), and memory and init time in their ranges', () => {
    // 1–900 s (cloud.tencent.com/document/product/583/11637); init 3–300 s; memory 64 or 128–3072 by 128.
    expect(inputs.timeout).toBe(900);
    expect(inputs.initTimeout).toEqual(expect.any(Number));
    expect(inputs.initTimeout as number).toBeGreaterThanOrEqual(3);
    expect(inputs.initTimeout as number).toBeLessThanOrEqual(300);
    const memory = inputs.memorySize as number;
    expect(memory === 64 || (memory >= 128 && memory <= 3072 && memory % 128 === 0)).toBe(true);
  });

  it("the WebSocket lines, once uncommented, are documented fields whose idle timeout fits the function's", () => {
    const text = readFileSync(path.join(ROOT, 'serverless.yml'), 'utf8');
    const block = text.match(/^ {2}# (protocolType|protocolParams|\s{2}wsParams):.*$/gm)!;
    expect(block).toHaveLength(3);
    const uncommented = parseDocument(block.map((l) => l.replace(/^ {2}# /, '')).join('\n')).toJS();
    expect(uncommented).toEqual({ protocolType: 'WS', protocolParams: { wsParams: { idleTimeOut: 900 } } });
    // WSParams.idleTimeOut: 1–1800 s (configure.md); SCF wants the execution timeout at least as long (583/44842).
    expect(uncommented.protocolParams.wsParams.idleTimeOut).toBeLessThanOrEqual(inputs.timeout as number);
  });

  it('sets only variables oxy reads, none reserved by SCF, that oxy accepts at start', () => {
    const vars = (inputs.environment as { variables: Record<string, unknown> }).variables;
    expectOxyEnvironment('serverless.yml', vars, scfPlatform.config!);
    // Users cannot set SCF_*, QCLOUD_* or TENCENTCLOUD_* (cloud.tencent.com/document/product/583/32748).
    expect(Object.keys(vars).filter((n) => /^(SCF_|QCLOUD_|TENCENTCLOUD_)/.test(n))).toEqual([]);
  });

  it('is reached through a public Function URL, not an API Gateway trigger', () => {
    // The http event of cloud.tencent.com/document/product/1154/39271; API Gateway triggers are gone (583/107631).
    expect(inputs.events).toEqual([
      {
        http: {
          parameters: {
            netConfig: { enableIntranet: expect.any(Boolean), enableExtranet: true },
            qualifier: '$DEFAULT',
            authType: 'NONE',
          },
        },
      },
    ]);
  });
});

/**
 * The props fc3 accepts and the values it allows: devsapp/fc3 src/schema.json (generated from its IProps
 * interface), as of commit 4ca1c1b8c33e654438bb73b64cfc95a5c9d94f5a.
 */
const FC3 = {
  props: [
    ...['annotations', 'asyncInvokeConfig', 'code', 'concurrencyConfig', 'cpu', 'customContainerConfig'],
    ...['customDNS', 'customRuntimeConfig', 'description', 'diskSize', 'enableLongLiving', 'endpoint'],
    ...['environmentVariables', 'functionName', 'gpuConfig', 'handler', 'instanceConcurrency'],
    ...[
      'instanceIsolationMode',
      'instanceLifecycleConfig',
      'internetAccess',
      'layers',
      'logConfig',
      'memorySize',
    ],
    ...['nasConfig', 'ossMountConfig', 'provisionConfig', 'region', 'resourceGroupId', 'role', 'runtime'],
    ...['scalingConfig', 'sessionAffinity', 'sessionAffinityConfig', 'supplement', 'tags', 'timeout'],
    ...['tracingConfig', 'triggers', 'vpcBinding', 'vpcConfig'],
  ],
  regions: [
    ...[
      'ap-northeast-1',
      'ap-northeast-2',
      'ap-south-1',
      'ap-southeast-1',
      'ap-southeast-2',
      'ap-southeast-3',
    ],
    ...['ap-southeast-5', 'ap-southeast-7', 'cn-beijing', 'cn-chengdu', 'cn-hangzhou', 'cn-heyuan-acdr-1'],
    ...[
      'cn-hongkong',
      'cn-huhehaote',
      'cn-qingdao',
      'cn-shanghai',
      'cn-shanghai-cloudspe',
      'cn-shanghai-finance-1',
    ],
    ...[
      'cn-shenzhen',
      'cn-wulanchabu',
      'cn-zhangjiakou',
      'eu-central-1',
      'eu-west-1',
      'me-central-1',
      'us-east-1',
    ],
    'us-west-1',
  ],
  customRuntimeConfig: ['args', 'command', 'healthCheckConfig', 'port'],
  triggerTypes: ['cdn_events', 'eventbridge', 'http', 'log', 'mns_topic', 'oss', 'tablestore', 'timer'],
  httpTriggerConfig: ['authConfig', 'authType', 'disableURLInternet', 'methods'],
  authTypes: ['anonymous', 'function', 'jwt'],
  methods: ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'],
};

/**
 * The Node each custom runtime has at /var/fc/lang (PLATFORMS.md): custom.debian10 has nodejs18 and nodejs20
 * (Aliyun's docs); nodejs22 is on custom.debian12 in public deployments, not in Aliyun's docs.
 */
const FC_RUNTIME_NODES: Record<string, number[]> = { 'custom.debian10': [20, 18], 'custom.debian12': [22] };

describe('s.yaml (Aliyun FC, Serverless Devs fc3 component)', () => {
  const { data: file, problems } = readYaml('s.yaml');
  const resources = file.resources as Record<string, { component: string; props: Record<string, unknown> }>;
  const [resource] = Object.values(resources);
  const props = resource!.props;

  it('is a Serverless Devs 3 project with one fc3 function', () => {
    expect(problems).toEqual([]);
    expect(file.edition).toBe('3.0.0');
    expect(Object.keys(file).sort()).toEqual(['access', 'edition', 'name', 'resources']);
    expect(Object.values(resources).map((r) => Object.keys(r).sort())).toEqual([['component', 'props']]);
    expect(resource!.component).toBe('fc3');
  });

  it("uses only the props of fc3's schema, with those a custom runtime requires", () => {
    expect(Object.keys(props).filter((k) => !FC3.props.includes(k))).toEqual([]);
    for (const required of ['region', 'functionName', 'runtime', 'code'])
      expect(props).toHaveProperty(required);
    expect(FC3.regions).toContain(props.region);
    expect(props.functionName).toMatch(/^[A-Za-z_][A-Za-z0-9_-]{0,63}$/);
  });

  it('deploys the folder npm run bundle writes (dist/fc), bootstrap and all', () => {
    expectBuildFolder(props.code, 'fc');
  });

  it('names a custom runtime with a Node the bootstrap can pick, and starts /code/bootstrap on port 9000', () => {
    const nodes = FC_RUNTIME_NODES[String(props.runtime)] ?? [];
    expect(nodes.filter((n) => PLATFORM_MAJORS.fc.includes(n))).not.toEqual([]);
    const config = props.customRuntimeConfig as Record<string, unknown>;
    expect(Object.keys(config).filter((k) => !FC3.customRuntimeConfig.includes(k))).toEqual([]);
    // No command: FC then runs /code/bootstrap. The port reaches oxy as FC_CUSTOM_LISTEN_PORT.
    expect(config).toEqual({ port: 9000 });
    expect(fcPlatform.config?.fallbacks?.OXY_PORT).toBe('FC_CUSTOM_LISTEN_PORT');
  });

  it('sets the execution time we recommend (900 s, as on SCF), and memory and concurrency in their ranges', () => {
    // fc3 schema: timeout 1–86400; memorySize 128–32768 by 64; instanceConcurrency 1–200.
    expect(props.timeout).toBe(900);
    const memory = props.memorySize as number;
    expect(memory >= 128 && memory <= 32768 && memory % 64 === 0).toBe(true);
    const concurrency = props.instanceConcurrency as number;
    expect(Number.isInteger(concurrency) && concurrency >= 1 && concurrency <= 200).toBe(true);
  });

  it('sets only variables oxy reads, that oxy accepts at start', () => {
    expectOxyEnvironment('s.yaml', props.environmentVariables as Record<string, unknown>, fcPlatform.config!);
  });

  it('is reached through an anonymous HTTP trigger whose methods include OPTIONS for browser preflights', () => {
    const triggers = props.triggers as { triggerName: string; triggerType: string; triggerConfig: object }[];
    expect(triggers).toHaveLength(1);
    const [trigger] = triggers;
    expect(FC3.triggerTypes).toContain(trigger!.triggerType);
    expect(trigger!.triggerType).toBe('http');
    const config = trigger!.triggerConfig as { authType: string; methods: string[] };
    expect(Object.keys(config).filter((k) => !FC3.httpTriggerConfig.includes(k))).toEqual([]);
    expect(config.authType).toBe('anonymous');
    expect(config.methods.filter((m) => !FC3.methods.includes(m))).toEqual([]);
    // Without OPTIONS, FC answers CORS preflights 403 before oxy runs (PLATFORMS.md).
    expect([...config.methods].sort()).toEqual(FC3.methods);
  });

  it('renders offline with the Serverless Devs CLI (s preview) to the document these checks read', () => {
    // `s verify` would also check the props, but fetches fc3's schema from its registry: the checks above do that.
    const home = mkdtempSync(path.join(tmpdir(), 'oxy-s-home-'));
    try {
      const cli = path.join(path.dirname(require.resolve('@serverless-devs/s/package.json')), 'bin/s');
      const run = spawnSync(process.execPath, [cli, 'preview', '-t', 's.yaml', '-o', 'json'], {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', HOME: home, CI: 'true' },
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
      // Its JSON follows a warning line when run as root.
      const rendered = JSON.parse(run.stdout.slice(run.stdout.indexOf('{')));
      expect(rendered).toEqual(file);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
