/** Records a page's WebSocket traffic so a failing test can attach it to its report. */
import type { Page, TestInfo } from '@playwright/test';

export interface FrameLog {
  readonly lines: string[];
  /** Attaches the recorded lines to the test's report under `name`. */
  attachTo(testInfo: TestInfo, name: string): Promise<void>;
}

const MAX_PAYLOAD_CHARS = 500;

export function recordWebSocketFrames(page: Page): FrameLog {
  const lines: string[] = [];
  const stamp = () => new Date().toISOString().slice(11, 23);
  page.on('websocket', (socket) => {
    lines.push(`${stamp()} open ${socket.url()}`);
    const describe = (payload: string | Buffer) =>
      typeof payload === 'string'
        ? payload.slice(0, MAX_PAYLOAD_CHARS)
        : `<binary ${payload.length} bytes>`;
    socket.on('framesent', (frame) => lines.push(`${stamp()} -> ${describe(frame.payload)}`));
    socket.on('framereceived', (frame) => lines.push(`${stamp()} <- ${describe(frame.payload)}`));
    socket.on('socketerror', (error) => lines.push(`${stamp()} error ${error}`));
    socket.on('close', () => lines.push(`${stamp()} close ${socket.url()}`));
  });
  return {
    lines,
    attachTo: (testInfo, name) =>
      testInfo.attach(name, { body: lines.join('\n') || '(no frames)', contentType: 'text/plain' }),
  };
}
