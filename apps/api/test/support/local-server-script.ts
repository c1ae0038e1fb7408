import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Runs `scripts/<script>` (a local server's start/stop/remove script) and returns what it printed.
 * A failure says which server's tests cannot run and how to skip them on purpose.
 */
export function localServerScript(script: string, server: string, skipVariable: string) {
  const path = fileURLToPath(new URL(`../../../../scripts/${script}`, import.meta.url));
  return async (...args: string[]): Promise<string> => {
    try {
      const { stdout } = await run('bash', [path, ...args], { maxBuffer: 16 * 1024 * 1024 });
      return stdout.trim();
    } catch (error) {
      const { stderr, message } = error as { stderr?: string; message: string };
      throw new Error(
        `scripts/${script} ${args[0]} failed, so the ${server} tests cannot run ` +
          `(set ${skipVariable}=1 to skip them on purpose):\n${stderr?.trim() || message}`,
        { cause: error },
      );
    }
  };
}
