import { afterEach, describe, expect, it, vi } from 'vitest';
import { MediaPermissionWatch } from '../../src/call/index.js';
import { until } from './harness.js';

class FakeStatus extends EventTarget {
  constructor(public state: string) {
    super();
  }

  set(state: string): void {
    this.state = state;
    this.dispatchEvent(new Event('change'));
  }
}

function stubPermissions(states: Record<string, string | Error>): {
  asked: string[];
  statuses: Map<string, FakeStatus>;
} {
  const asked: string[] = [];
  const statuses = new Map<string, FakeStatus>();
  vi.stubGlobal('navigator', {
    permissions: {
      query: async ({ name }: { name: string }) => {
        asked.push(name);
        const state = states[name] ?? 'prompt';
        if (state instanceof Error) throw state;
        const status = new FakeStatus(state);
        statuses.set(name, status);
        return status;
      },
    },
  });
  return { asked, statuses };
}

const watches: MediaPermissionWatch[] = [];
function watch(): MediaPermissionWatch {
  const created = new MediaPermissionWatch();
  watches.push(created);
  return created;
}

afterEach(() => {
  for (const created of watches.splice(0)) created.dispose();
  vi.unstubAllGlobals();
});

describe('MediaPermissionWatch', () => {
  it('answers from the browser’s permission states: the camera counts only for video', async () => {
    const { asked } = stubPermissions({ microphone: 'granted', camera: 'prompt' });
    const permissions = watch();
    expect(permissions.permitted(false)).toBe(false); // the browser has not answered yet
    await until(() => permissions.permitted(false), 'the microphone granted');
    expect(permissions.permitted(true)).toBe(false);
    expect(asked.sort()).toEqual(['camera', 'microphone']);
  });

  it('follows later changes (a prompt answered, a permission revoked) without asking again', async () => {
    const { asked, statuses } = stubPermissions({ microphone: 'prompt', camera: 'prompt' });
    const permissions = watch();
    await until(() => statuses.size === 2, 'both queried');
    statuses.get('microphone')!.set('granted');
    statuses.get('camera')!.set('granted');
    expect(permissions.permitted(true)).toBe(true);
    statuses.get('camera')!.set('denied');
    expect(permissions.permitted(true)).toBe(false);
    expect(permissions.permitted(false)).toBe(true);
    expect(asked).toHaveLength(2);
  });

  it('stops following once disposed', async () => {
    const { statuses } = stubPermissions({ microphone: 'granted', camera: 'granted' });
    const permissions = watch();
    await until(() => permissions.permitted(true), 'granted');
    permissions.dispose();
    statuses.get('camera')!.set('denied');
    expect(permissions.permitted(true)).toBe(true);
  });

  it('answers false where the browser cannot tell', async () => {
    stubPermissions({ microphone: 'granted', camera: new TypeError('not a valid name') });
    const permissions = watch();
    await until(() => permissions.permitted(false), 'the microphone granted');
    expect(permissions.permitted(true)).toBe(false);
    vi.stubGlobal('navigator', {});
    expect(watch().permitted(false)).toBe(false);
    vi.stubGlobal('navigator', undefined);
    expect(watch().permitted(false)).toBe(false);
  });
});
