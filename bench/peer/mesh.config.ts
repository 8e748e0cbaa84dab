// Composes the peer's supergraph from openapi.json. The upstream URL is baked in at compose time
// (bench/run.mjs composes once per run, after the stub has its port).
import { defineConfig } from '@graphql-mesh/compose-cli';
import { loadOpenAPISubgraph } from '@omnigraph/openapi';

const endpoint = process.env.CSP_BASE_URL;
if (!endpoint) throw new Error('CSP_BASE_URL must be set to the upstream stub URL');

export const composeConfig = defineConfig({
  subgraphs: [
    {
      sourceHandler: loadOpenAPISubgraph('CSP', {
        source: './openapi.json',
        endpoint,
        operationHeaders: {
          'csp-auth-token': '{context.headers.csp-auth-token}',
        },
      }),
    },
  ],
});
