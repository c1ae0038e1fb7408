// `pnpm dev` for the api: recompiles on change and restarts the server on every new build. The
// server starts once the compiler's first build is written, so that build does not restart it.
import { spawn } from 'node:child_process';

const FIRST_BUILD_DONE = 'Watching for file changes';

const children = [];
const stop = () => {
  for (const child of children) child.kill('SIGTERM');
};
const track = (child) => {
  children.push(child);
  child.on('exit', (code) => code && code !== 0 && stop());
  return child;
};

function startServer() {
  track(
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
  );
}

const compiler = track(
  spawn('tsc', ['-p', 'tsconfig.build.json', '--watch', '--preserveWatchOutput'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    shell: true,
  }),
);
let serverStarted = false;
let recentOutput = '';
compiler.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  if (serverStarted) return;
  // The line may arrive in pieces: the tail of the last chunk is looked at with the next one.
  const seen = recentOutput + chunk.toString();
  recentOutput = seen.slice(-FIRST_BUILD_DONE.length);
  if (seen.includes(FIRST_BUILD_DONE)) {
    serverStarted = true;
    startServer();
  }
});

process.on('SIGINT', stop);
process.on('SIGTERM', stop);
