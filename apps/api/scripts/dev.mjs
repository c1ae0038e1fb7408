// `pnpm dev` for the api: recompiles on change and restarts the server on every new build.
import { spawn } from 'node:child_process';

const children = [
  spawn('tsc', ['-p', 'tsconfig.build.json', '--watch', '--preserveWatchOutput'], {
    stdio: 'inherit',
    shell: true,
  }),
  spawn(process.execPath, ['--watch-path=build', '--enable-source-maps', 'build/main.js'], {
    stdio: 'inherit',
    env: {
      LOG_LEVEL: 'info',
      // The web app on another port (`WEB_PORT=4000 npm start`) is the origin to allow.
      ...(process.env.WEB_PORT && {
        ALLOWED_ORIGINS: `http://localhost:${process.env.WEB_PORT},http://127.0.0.1:${process.env.WEB_PORT}`,
      }),
      ...process.env,
      PORT: process.env.API_PORT ?? process.env.PORT ?? '3001',
    },
  }),
];

const stop = () => {
  for (const child of children) child.kill('SIGTERM');
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
for (const child of children) child.on('exit', (code) => code && code !== 0 && stop());
