/**
 * One place that decides which Chromium the e2e suite launches and with which switches.
 * Used by playwright.config.ts (`use.launchOptions`) and by specs that launch extra
 * browsers themselves (`chromium.launch(chromiumLaunchOptions())`).
 */
import { existsSync } from 'node:fs';
import { chromium, type LaunchOptions } from '@playwright/test';

export const SYSTEM_CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Playwright's default `--disable-features` list, copied from playwright-core 1.65.1
 * (node_modules/playwright-core/lib/coreBundle.js, `disabledFeatures` in
 * packages/playwright-core/src/server/chromium/chromiumSwitches.ts). It is not exported, so it
 * is repeated here: Chromium honours only the LAST `--disable-features` switch, and ours comes
 * after Playwright's, so leaving any of these out would silently re-enable it.
 * Re-check this list when upgrading @playwright/test.
 */
export const PLAYWRIGHT_DEFAULT_DISABLED_FEATURES: readonly string[] = [
  'AvoidUnnecessaryBeforeUnloadCheckSync',
  'DestroyProfileOnBrowserClose',
  'HttpsUpgrades',
  'HttpsFirstBalancedModeAutoEnable',
  'LensOverlay',
  'MediaRouter',
  'PaintHolding',
  'ThirdPartyStoragePartitioning',
  'AvoidCorsURLLoaderRestartOnRedirect',
  'TcpPortRandomizationWin',
  'OptimizationHints',
  'NetworkTimeServiceQuerying',
  'AimEnabled',
  'PreconnectToSearch',
  'msForceBrowserSignIn',
  'msEdgeUpdateLaunchServicesPreferredVersion',
];

/** Features the suite disables on top of Playwright's list (Chromium flags that give headless browsers real WebRTC on loopback). */
export const EXTRA_DISABLED_FEATURES: readonly string[] = [
  // Expose real loopback ICE candidates instead of mDNS names (WebRTC on 127.0.0.1).
  'WebRtcHideLocalIpsWithMdns',
];

/** Switches that give headless Chromium real audio/video calls on loopback, without a GPU or network. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--autoplay-policy=no-user-gesture-required',
  '--allow-loopback-in-peer-connection',
  `--disable-features=${[...PLAYWRIGHT_DEFAULT_DISABLED_FEATURES, ...EXTRA_DISABLED_FEATURES].join(',')}`,
];

/** Playwright's own Chromium when it is installed, else Debian's /usr/bin/chromium. */
export function resolveChromiumExecutable(): string {
  let bundled: string | undefined;
  try {
    bundled = chromium.executablePath();
  } catch {
    bundled = undefined;
  }
  if (bundled && existsSync(bundled)) return bundled;
  if (existsSync(SYSTEM_CHROMIUM_PATH)) return SYSTEM_CHROMIUM_PATH;
  throw new Error(
    `No Chromium found: neither Playwright's (${bundled ?? 'unknown path'}) nor ${SYSTEM_CHROMIUM_PATH}. ` +
      "Install Debian's chromium (apt-get update && apt-get install -y chromium) or run e2e/run.sh as root.",
  );
}

export function chromiumLaunchOptions(overrides: LaunchOptions = {}): LaunchOptions {
  return {
    executablePath: resolveChromiumExecutable(),
    args: [...CHROMIUM_ARGS],
    ...overrides,
  };
}
