/** Locators and actions for the /echo playground (test ids from the web app's contract). */
import { expect, type Locator, type Page } from '@playwright/test';

export type Direction = 'in' | 'out' | 'event';
export type RowKind = 'text' | 'binary' | 'open' | 'close' | 'error';

export class EchoPage {
  readonly url: Locator;
  readonly connectButton: Locator;
  readonly disconnectButton: Locator;
  readonly readyState: Locator;
  readonly textInput: Locator;
  readonly sendTextButton: Locator;
  readonly binarySizeInput: Locator;
  readonly sendBinaryButton: Locator;
  readonly log: Locator;

  constructor(readonly page: Page) {
    this.url = page.getByTestId('echo-url');
    this.connectButton = page.getByTestId('echo-connect');
    this.disconnectButton = page.getByTestId('echo-disconnect');
    this.readyState = page.getByTestId('echo-ready-state');
    this.textInput = page.getByTestId('echo-text-input');
    this.sendTextButton = page.getByTestId('echo-send-text');
    this.binarySizeInput = page.getByTestId('echo-binary-size');
    this.sendBinaryButton = page.getByTestId('echo-send-binary');
    this.log = page.getByTestId('echo-log');
  }

  async open(): Promise<void> {
    await this.page.goto('/echo');
    await expect(this.connectButton).toBeVisible();
  }

  /** Log rows filtered by direction and kind, in log order. */
  rows(direction: Direction, kind: RowKind): Locator {
    return this.log.locator(
      `[data-testid="echo-log-row"][data-direction="${direction}"][data-kind="${kind}"]`,
    );
  }

  /**
   * Clicks Connect until the socket is OPEN. A click that lands before React hydrated the
   * server-rendered button does nothing, so it is repeated only while the state shows no
   * connection attempt.
   */
  async connect(): Promise<void> {
    await expect(async () => {
      const state = (await this.readyState.textContent()) ?? '';
      if (!/OPEN|CONNECTING/.test(state)) await this.connectButton.click();
      await expect(this.readyState).toContainText('OPEN', { timeout: 2_000 });
    }).toPass({ timeout: 20_000 });
  }

  async sendText(text: string): Promise<void> {
    await this.textInput.fill(text);
    await this.sendTextButton.click();
  }

  async sendBinary(size: number): Promise<void> {
    await this.binarySizeInput.fill(String(size));
    await this.sendBinaryButton.click();
  }

  async disconnect(): Promise<void> {
    await this.disconnectButton.click();
  }
}
