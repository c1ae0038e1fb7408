/**
 * Whether the browser already lets this page use the microphone (and the camera, for `video`)
 * without asking. May answer at once or with a promise.
 */
export type MediaPermissionCheck = (video: boolean) => boolean | Promise<boolean>;

type PermissionName = 'camera' | 'microphone';

interface PermissionStatusLike {
  readonly state: string;
  addEventListener(type: 'change', listener: () => void): void;
  removeEventListener(type: 'change', listener: () => void): void;
}

interface PermissionsLike {
  query(descriptor: { name: string }): Promise<PermissionStatusLike>;
}

/**
 * The page's camera and microphone permissions, kept current from the browser's live
 * `PermissionStatus` objects, so that a call can tell without a round trip to the browser
 * whether opening the media will prompt. Answers `false` until the browser has answered, and
 * wherever it cannot tell: no Permissions API (Node, older browsers), or no `camera` /
 * `microphone` permission names.
 */
export class MediaPermissionWatch {
  private readonly granted: Record<PermissionName, boolean> = { camera: false, microphone: false };
  private readonly cleanups: (() => void)[] = [];
  private disposed = false;

  constructor() {
    const permissions = (globalThis as { navigator?: { permissions?: PermissionsLike } }).navigator
      ?.permissions;
    if (typeof permissions?.query !== 'function') return;
    for (const name of ['camera', 'microphone'] as const) void this.watch(permissions, name);
  }

  /** Microphone, and camera for `video`, granted. */
  permitted(video: boolean): boolean {
    return this.granted.microphone && (!video || this.granted.camera);
  }

  dispose(): void {
    this.disposed = true;
    for (const cleanup of this.cleanups.splice(0)) cleanup();
  }

  private async watch(permissions: PermissionsLike, name: PermissionName): Promise<void> {
    let status: PermissionStatusLike;
    try {
      status = await permissions.query({ name });
    } catch {
      return; // e.g. a TypeError for a permission name this browser does not know
    }
    if (this.disposed) return;
    const update = (): void => {
      this.granted[name] = status.state === 'granted';
    };
    update();
    status.addEventListener('change', update);
    this.cleanups.push(() => status.removeEventListener('change', update));
  }
}
