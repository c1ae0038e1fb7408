import { expect, test } from '@playwright/test';
import { EchoPage } from '../support/echo-page.js';
import { apiWsUrl } from '../support/env.js';

test.describe('echo playground', () => {
  test('round-trips text and binary frames unchanged, then closes', async ({ page }) => {
    const echo = new EchoPage(page);
    await echo.open();
    await expect(echo.url).toHaveValue(apiWsUrl('/ws/echo'));

    await echo.connect();

    // Text: non-ASCII content must come back identical, with the same UTF-8 byte size.
    const text = 'héllo ✓ 👋';
    const textBytes = Buffer.byteLength(text, 'utf8');
    await echo.sendText(text);
    const textOut = echo.rows('out', 'text');
    const textIn = echo.rows('in', 'text');
    await expect(textOut).toHaveCount(1);
    await expect(textIn).toHaveCount(1);
    await expect(textOut.getByTestId('echo-log-text')).toHaveText(text);
    await expect(textIn.getByTestId('echo-log-text')).toHaveText(text);
    await expect(textOut).toHaveAttribute('data-size', String(textBytes));
    await expect(textIn).toHaveAttribute('data-size', String(textBytes));

    // Binary: 64 bytes out, the same 64 bytes back.
    await echo.sendBinary(64);
    const binaryOut = echo.rows('out', 'binary');
    const binaryIn = echo.rows('in', 'binary');
    await expect(binaryOut).toHaveCount(1);
    await expect(binaryIn).toHaveCount(1);
    await expect(binaryOut).toHaveAttribute('data-size', '64');
    await expect(binaryIn).toHaveAttribute('data-size', '64');
    const sentHex = await binaryOut.getAttribute('data-hex');
    expect(sentHex).toMatch(/^[0-9a-f]{128}$/);
    await expect(binaryIn).toHaveAttribute('data-hex', sentHex ?? '');

    await echo.disconnect();
    await expect(echo.readyState).toContainText('CLOSED');
    await expect(echo.rows('event', 'close')).toHaveCount(1);
  });
});
