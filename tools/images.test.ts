import { type EngineSurroundings, engineDefaults } from './container-engine';
import { imageTag, lockedClosure, parseLdd } from './images';

describe("an image's locked packages", () => {
  const packages = {
    '': { dependencies: { server: '^1' } },
    'node_modules/server': {
      version: '1.0.0',
      dependencies: { shared: '^2', own: '^1' },
      optionalDependencies: { native: '^1' },
    },
    'node_modules/server/node_modules/shared': { version: '2.0.0', dependencies: { leaf: '^1' } },
    'node_modules/shared': { version: '1.0.0' },
    'node_modules/own': { version: '1.0.0', dependencies: { leaf: '^1' } },
    'node_modules/leaf': { version: '1.0.0' },
    'node_modules/native': { version: '1.0.0' },
    'node_modules/unrelated': { version: '9.0.0' },
  };

  it('are the package and what it needs, resolved as Node resolves them (nearest node_modules first)', () => {
    expect(lockedClosure(packages, 'node_modules/server')).toEqual([
      'node_modules/leaf',
      'node_modules/native',
      'node_modules/own',
      'node_modules/server',
      'node_modules/server/node_modules/shared',
    ]);
  });

  it('name the package when the lock does not hold it', () => {
    expect(() => lockedClosure(packages, 'node_modules/absent')).toThrow(
      /node_modules\/absent is not in package-lock\.json/,
    );
  });
});

describe('reading ldd', () => {
  it('lists each library and the loader, and skips the virtual and missing ones', () => {
    const output = [
      '\tlinux-vdso.so.1 (0x00007ffd)',
      '\tlibstdc++.so.6 => /lib/x86_64-linux-gnu/libstdc++.so.6 (0x00007f10)',
      '\tlibc.musl-x86_64.so.1 => not found',
      '\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f11)',
      '\t/lib64/ld-linux-x86-64.so.2 (0x00007f12)',
    ].join('\n');
    expect(parseLdd(output)).toEqual([
      '/lib/x86_64-linux-gnu/libstdc++.so.6',
      '/lib/x86_64-linux-gnu/libc.so.6',
      '/lib64/ld-linux-x86-64.so.2',
    ]);
  });
});

describe("an image's tag", () => {
  it('is the same for the same inputs and changes with any of them', () => {
    const inputs = ['Dockerfile 1a', 'node v22.23.5', 'node_modules/dynalite 4.0.0 sha512-x'];
    expect(imageTag('dynalite', inputs)).toMatch(/^pets-harness\/dynalite:[0-9a-f]{12}$/);
    expect(imageTag('dynalite', [...inputs])).toBe(imageTag('dynalite', inputs));
    expect(imageTag('dynalite', [...inputs.slice(0, 2), 'node_modules/dynalite 4.0.1 sha512-y'])).not.toBe(
      imageTag('dynalite', inputs),
    );
  });
});

describe("testcontainers' settings the project makes", () => {
  const machine = (over: Partial<EngineSurroundings> = {}): EngineSurroundings => ({
    env: {},
    inContainer: false,
    engineBesideUs: false,
    ...over,
  });
  const names = (surroundings: EngineSurroundings) =>
    engineDefaults(surroundings).map((s) => `${s.name}=${s.value}`);

  it.each([
    ['a machine with its own engine', machine(), ['TESTCONTAINERS_RYUK_DISABLED=true']],
    [
      'a container whose engine runs inside it (CI that installs Docker)',
      machine({ inContainer: true, engineBesideUs: true }),
      ['TESTCONTAINERS_RYUK_DISABLED=true', 'TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1'],
    ],
    [
      "a container given the host's socket (the engine outside)",
      machine({ inContainer: true }),
      ['TESTCONTAINERS_RYUK_DISABLED=true'],
    ],
    [
      'a container whose engine is reached over TCP',
      machine({ inContainer: true, engineBesideUs: true, env: { DOCKER_HOST: 'tcp://10.0.0.5:2375' } }),
      ['TESTCONTAINERS_RYUK_DISABLED=true'],
    ],
    [
      'a user who set both',
      machine({
        inContainer: true,
        engineBesideUs: true,
        env: { TESTCONTAINERS_RYUK_DISABLED: 'false', TESTCONTAINERS_HOST_OVERRIDE: 'docker.internal' },
      }),
      [],
    ],
  ])('on %s: %j', (_, surroundings, expected) => {
    expect(names(surroundings)).toEqual(expected);
  });
});
