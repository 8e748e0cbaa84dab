// One closed-loop load run with autocannon (as a library, in this process). Latency percentiles
// are computed here from every 2xx response time (float ms from process.hrtime), because
// autocannon's own histogram records whole milliseconds — too coarse for a sub-millisecond budget.
import autocannon from 'autocannon';

let clientSeq = 0;

/**
 * @param {object} o
 * @param {string} o.url
 * @param {string} o.method
 * @param {Record<string,string>} o.headers
 * @param {string} o.body
 * @param {number} o.connections
 * @param {number} o.durationSec
 * @param {string} [o.expectBody] every response body must equal this string (else a mismatch)
 * @param {string} [o.tokenHeader] give each connection its own value of this header (`<value>-<n>`)
 */
export function runLoad({ url, method, headers, body, connections, durationSec, expectBody, tokenHeader }) {
  return new Promise((resolve, reject) => {
    let lat = new Float64Array(65_536);
    let n = 0;
    const instance = autocannon(
      {
        url,
        method,
        headers,
        body,
        connections,
        duration: durationSec,
        pipelining: 1,
        timeout: 10,
        expectBody,
        // autocannon stops only on a sample tick (default 1000 ms): 100 ms keeps short runs short.
        sampleInt: 100,
        // One principal per connection, as many users would be: the gateway's brute-force guard
        // rightly limits how many updates of ONE principal may be in flight at once.
        setupClient: tokenHeader
          ? (client) =>
              client.setHeaders({ ...headers, [tokenHeader]: `${headers[tokenHeader]}-${++clientSeq}` })
          : undefined,
      },
      (err, result) => {
        if (err) return reject(err);
        const sorted = lat.subarray(0, n).sort();
        const pct = (p) => (n ? sorted[Math.min(n - 1, Math.floor((p / 100) * n))] : NaN);
        const elapsed = result.duration || durationSec;
        resolve({
          connections,
          durationSec: elapsed,
          ok: n,
          rps: n / elapsed,
          p50: pct(50),
          p90: pct(90),
          p99: pct(99),
          max: n ? sorted[n - 1] : NaN,
          errors: result.errors,
          timeouts: result.timeouts,
          non2xx: result.non2xx,
          mismatches: result.mismatches,
          statusCodeStats: result.statusCodeStats,
        });
      },
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode < 200 || statusCode >= 300) return;
      if (n === lat.length) {
        const bigger = new Float64Array(lat.length * 2);
        bigger.set(lat);
        lat = bigger;
      }
      lat[n++] = responseTime;
    });
  });
}
