/**
 * Trusted documents: with a manifest of known documents (sha256 → text, as GraphQL Code Generator's
 * client preset writes it with `persistedDocuments`), /graphql runs only those, named by id, and refuses
 * everything else before Apollo parses a byte of it. For an API that takes passwords this leaves a
 * handful of known operations as the whole attack surface.
 *
 * A request names its document by `extensions.persistedQuery.sha256Hash` (Apollo's persisted-query
 * format, what `PersistedQueryLink` sends) or by `documentId` (the GraphQL-over-HTTP proposal), either as
 * bare hex or `sha256:<hex>`, in a POST body or in GET parameters.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type GraphQLSchema, Kind, parse, validate } from 'graphql';

export type TrustedDocumentRefusal = 'TRUSTED_DOCUMENT_REQUIRED' | 'TRUSTED_DOCUMENT_NOT_FOUND';

/** What to hand to Apollo (the document's text filled in), or why the request is refused (answer 400). */
export type TrustedResolution =
  | { readonly ok: true; readonly body: unknown; readonly search: string }
  | { readonly ok: false; readonly code: TrustedDocumentRefusal; readonly message: string };

export interface TrustedDocuments {
  /** How many documents the manifest holds. */
  readonly size: number;
  resolve(request: {
    readonly method: string;
    readonly body: unknown;
    readonly search: string;
  }): TrustedResolution;
}

/** The manifest cannot be used; the message names the file and the problem, never a document. */
export class TrustedDocumentsError extends Error {
  override readonly name = 'TrustedDocumentsError';
}

const ID = /^(?:sha256:)?([0-9a-f]{64})$/i;

const REQUIRED: TrustedResolution = {
  ok: false,
  code: 'TRUSTED_DOCUMENT_REQUIRED',
  message:
    'This gateway runs only trusted documents: send the document id (extensions.persistedQuery.sha256Hash or documentId), not its text.',
};

const NOT_FOUND: TrustedResolution = {
  ok: false,
  code: 'TRUSTED_DOCUMENT_NOT_FOUND',
  message:
    "No trusted document has this id. The client's documents and the gateway's manifest differ: deploy them together.",
};

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The hex id a request names, null when it names none, or undefined when the id is malformed. */
function requestedId(documentId: unknown, extensions: unknown): string | null | undefined {
  const persisted = isRecord(extensions) ? extensions['persistedQuery'] : undefined;
  const raw = documentId ?? (isRecord(persisted) ? persisted['sha256Hash'] : undefined);
  if (raw === undefined || raw === null) return null;
  const match = typeof raw === 'string' ? ID.exec(raw) : null;
  return match?.[1]?.toLowerCase();
}

function withoutPersistedQuery(extensions: Record<string, unknown>): Record<string, unknown> {
  const { persistedQuery: _persistedQuery, ...rest } = extensions;
  return rest;
}

/** Reads and checks a manifest: every key must be the sha256 of its document, and every document valid. */
export function loadTrustedDocuments(path: string, schema: GraphQLSchema): TrustedDocuments {
  let manifest: unknown;
  try {
    manifest = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    const reason = error instanceof SyntaxError ? 'is not JSON' : 'cannot be read';
    throw new TrustedDocumentsError(`TRUSTED_DOCUMENTS: ${path} ${reason}.`, { cause: error });
  }
  if (!isRecord(manifest) || Object.keys(manifest).length === 0) {
    throw new TrustedDocumentsError(
      `TRUSTED_DOCUMENTS: ${path} must be a non-empty JSON object of id → document.`,
    );
  }
  const documents = new Map<string, string>();
  for (const [key, text] of Object.entries(manifest)) {
    const id = ID.exec(key)?.[1]?.toLowerCase();
    if (!id || typeof text !== 'string') {
      throw new TrustedDocumentsError(
        `TRUSTED_DOCUMENTS: ${path}: '${key.slice(0, 80)}' is not a sha256 id of a document.`,
      );
    }
    if (createHash('sha256').update(text).digest('hex') !== id) {
      throw new TrustedDocumentsError(
        `TRUSTED_DOCUMENTS: ${path}: the document under ${key} does not hash to its id.`,
      );
    }
    let problems: readonly string[];
    try {
      const document = parse(text);
      problems = validate(schema, document).map((e) => e.message);
      if (!document.definitions.some((d) => d.kind === Kind.OPERATION_DEFINITION))
        problems = ['no operation'];
    } catch (error) {
      problems = [error instanceof Error ? error.message : String(error)];
    }
    if (problems.length > 0) {
      throw new TrustedDocumentsError(
        `TRUSTED_DOCUMENTS: ${path}: the document under ${key} is not valid for this schema: ${problems.join('; ')}`,
      );
    }
    documents.set(id, text);
  }
  return createTrustedDocuments(documents);
}

function createTrustedDocuments(documents: ReadonlyMap<string, string>): TrustedDocuments {
  return {
    size: documents.size,
    resolve({ method, body, search }) {
      if (method === 'GET') {
        const params = new URLSearchParams(search);
        const rawExtensions = params.get('extensions');
        let extensions: unknown;
        try {
          extensions = rawExtensions === null ? undefined : JSON.parse(rawExtensions);
        } catch {
          // Apollo answers a malformed `extensions` parameter itself, unless a query text rides along.
          extensions = undefined;
        }
        const id = requestedId(params.get('documentId'), extensions);
        if (id === null) return params.has('query') ? REQUIRED : { ok: true, body, search };
        const text = id === undefined ? undefined : documents.get(id);
        if (text === undefined) return NOT_FOUND;
        params.delete('documentId');
        params.set('query', text);
        if (isRecord(extensions)) params.set('extensions', JSON.stringify(withoutPersistedQuery(extensions)));
        return { ok: true, body, search: `?${params.toString()}` };
      }
      // Arrays (batches) and non-JSON bodies cannot run: Apollo refuses them with its own 400.
      if (!isRecord(body)) return { ok: true, body, search };
      const id = requestedId(body['documentId'], body['extensions']);
      if (id === null)
        return body['query'] === undefined || body['query'] === null ? { ok: true, body, search } : REQUIRED;
      const text = id === undefined ? undefined : documents.get(id);
      if (text === undefined) return NOT_FOUND;
      // The manifest's text runs, whatever text came along: a known id never runs unknown text.
      const { documentId: _documentId, extensions, ...rest } = body;
      return {
        ok: true,
        body: {
          ...rest,
          query: text,
          ...(isRecord(extensions) ? { extensions: withoutPersistedQuery(extensions) } : {}),
        },
        search,
      };
    },
  };
}
