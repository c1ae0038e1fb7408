// One GET over a keep-alive agent, its JSON body parsed: the short and long poll's request.
import http from 'node:http';

/**
 * GET `path` from `host:port` over `agent`; resolves `{status, body}` (body parsed when the
 * status is 200). `onRequest` gets the request, so its owner can abort it. A request on a reused
 * keep-alive socket that the server closed meanwhile is sent again once on a new one.
 */
export function getJson({ host, port, path, agent, timeoutMs, onRequest }, retried = false) {
  return new Promise((resolve, reject) => {
    const request = http.get({ host, port, path, agent }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () => {
        try {
          const text = Buffer.concat(chunks).toString();
          resolve({
            status: response.statusCode,
            body: response.statusCode === 200 ? JSON.parse(text) : text,
          });
        } catch (error) {
          reject(error);
        }
      });
      response.on('error', reject);
    });
    request.setTimeout(timeoutMs, () => request.destroy(new Error('timeout')));
    request.on('error', (error) => {
      if (!retried && request.reusedSocket && error.code === 'ECONNRESET') {
        getJson({ host, port, path, agent, timeoutMs, onRequest }, true).then(resolve, reject);
      } else {
        reject(error);
      }
    });
    onRequest?.(request);
  });
}
